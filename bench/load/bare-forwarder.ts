/**
 * The baseline: the least a WebSocket relay can do. A device's first frame is its 16-byte id;
 * every later frame starts with the recipient's 16-byte id and is forwarded unchanged. No
 * authentication, parsing, storage, acks or limits beyond the frame size: the throughput the
 * real relay is compared against. Same `ws` settings a relay should use (no compression,
 * bufferutil, bounded payload).
 *
 * With `--acks` it is the least a relay that confirms delivery can do: it remembers which
 * socket sent each frame, the recipient acks every delivery (a 4-byte frame, the sequence
 * number) and the forwarder passes the ack on to the sender. That is the frame pattern of the
 * real relay (send in, deliver out, ack in, ok out) without anything else it does, so the two
 * ratios together tell how much of the gap is the protocol and how much the implementation.
 *
 *   node --import tsx bench/load/bare-forwarder.ts [--acks] [--max-seconds S]
 *   → prints "bare forwarder listening on ws://127.0.0.1:PORT"
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { RELAY_MAX_FRAME_BYTES } from '../../src/shared/limits';
import { BARE_ID_BYTES, BARE_SEQ_BYTES } from './bare-frame';
import { guardAgainstOrphaning } from './orphan-guard';

const maxSecondsArg = process.argv.indexOf('--max-seconds');
guardAgainstOrphaning((maxSecondsArg > 0 ? Number(process.argv[maxSecondsArg + 1]) : 600) * 1000);

const acks = process.argv.includes('--acks');
const sockets = new Map<string, WebSocket>();
/** Acking mode: recipient id + seq → the socket that sent it. */
const senders = new Map<string, WebSocket>();
const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: RELAY_MAX_FRAME_BYTES });

server.on('connection', (ws) => {
  let id: string | undefined;
  ws.on('message', (data: Buffer, isBinary) => {
    if (acks && isBinary && id !== undefined && data.length === BARE_SEQ_BYTES) {
      const key = id + data.toString('latin1');
      const sender = senders.get(key);
      senders.delete(key);
      sender?.send(data);
      return;
    }
    if (!isBinary || data.length < BARE_ID_BYTES) return ws.close(4400);
    const key = data.toString('latin1', 0, BARE_ID_BYTES);
    if (id === undefined) {
      id = key;
      sockets.set(id, ws);
      return;
    }
    const recipient = sockets.get(key);
    if (!recipient) return;
    if (acks) senders.set(data.toString('latin1', 0, BARE_ID_BYTES + BARE_SEQ_BYTES), ws);
    recipient.send(data);
  });
  ws.on('close', () => {
    if (id !== undefined && sockets.get(id) === ws) sockets.delete(id);
  });
});

server.on('listening', () => {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('unexpected pipe address');
  console.log(`bare forwarder${acks ? ' (acks)' : ''} listening on ws://127.0.0.1:${address.port}`);
});
