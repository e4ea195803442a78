/**
 * The baseline: the least a WebSocket relay can do. A device's first frame is its 16-byte id;
 * every later frame starts with the recipient's 16-byte id and is forwarded unchanged. No
 * authentication, parsing, storage, acks or limits beyond the frame size: the throughput the
 * real relay is compared against. Same `ws` settings a relay should use (no compression,
 * bufferutil, bounded payload).
 *
 *   node --import tsx bench/load/bare-forwarder.ts [--max-seconds S]
 *   → prints "bare forwarder listening on ws://127.0.0.1:PORT"
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { RELAY_MAX_FRAME_BYTES } from '../../src/shared/limits';
import { BARE_ID_BYTES } from './bare-frame';
import { guardAgainstOrphaning } from './orphan-guard';

const maxSecondsArg = process.argv.indexOf('--max-seconds');
guardAgainstOrphaning((maxSecondsArg > 0 ? Number(process.argv[maxSecondsArg + 1]) : 600) * 1000);

const sockets = new Map<string, WebSocket>();
const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: RELAY_MAX_FRAME_BYTES });

server.on('connection', (ws) => {
  let id: string | undefined;
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary || data.length < BARE_ID_BYTES) return ws.close(4400);
    const key = data.toString('latin1', 0, BARE_ID_BYTES);
    if (id === undefined) {
      id = key;
      sockets.set(id, ws);
      return;
    }
    sockets.get(key)?.send(data);
  });
  ws.on('close', () => {
    if (id !== undefined && sockets.get(id) === ws) sockets.delete(id);
  });
});

server.on('listening', () => {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('unexpected pipe address');
  console.log(`bare forwarder listening on ws://127.0.0.1:${address.port}`);
});
