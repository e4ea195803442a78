import { afterEach, describe, expect, it } from 'vitest';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { agentForProxy, proxyUrlFromPac, relayAgentSource, relayProxyUrl } from './relay-proxy';

const ENV_KEYS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'] as const;
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) Reflect.deleteProperty(process.env, k);
    else process.env[k] = saved[k];
  }
});
function clearProxyEnv(): void {
  for (const k of ENV_KEYS) Reflect.deleteProperty(process.env, k);
}

describe('relay proxy setting', () => {
  it('reads PAC-style answers from the system resolver', () => {
    expect(proxyUrlFromPac('DIRECT')).toBeNull();
    expect(proxyUrlFromPac('PROXY proxy.ward:3128; DIRECT')).toBe('http://proxy.ward:3128');
    expect(proxyUrlFromPac('HTTPS proxy.ward:443')).toBe('https://proxy.ward:443');
    expect(proxyUrlFromPac(' SOCKS5 10.0.0.1:1080 ')).toBe('socks5://10.0.0.1:1080');
    expect(proxyUrlFromPac('SOCKS 10.0.0.1:1080')).toBe('socks4://10.0.0.1:1080');
    // Unknown or malformed entries are skipped, not guessed at.
    expect(proxyUrlFromPac('QUIC q:443; PROXY p:8080')).toBe('http://p:8080');
    expect(proxyUrlFromPac('PROXY not a host')).toBeNull();
    expect(proxyUrlFromPac('')).toBeNull();
  });

  it('maps direct, a URL and system (resolver, then environment) to a proxy or none', async () => {
    clearProxyEnv();
    const relay = 'wss://relay.hospital.example/ws';
    expect(await relayProxyUrl('direct', relay)).toBeNull();
    expect(await relayProxyUrl('http://proxy:3128', relay)).toBe('http://proxy:3128');
    const asked: string[] = [];
    expect(await relayProxyUrl('system', relay, (u) => (asked.push(u), Promise.resolve('PROXY pac-proxy:8080')))).toBe('http://pac-proxy:8080');
    // The resolver is asked about the https URL the upgrade request goes to.
    expect(asked).toEqual(['https://relay.hospital.example/ws']);
    expect(await relayProxyUrl('system', relay)).toBeNull();
    process.env.HTTPS_PROXY = 'http://env-proxy:3128';
    expect(await relayProxyUrl('system', relay)).toBe('http://env-proxy:3128');
    expect(await relayProxyUrl('system', 'ws://127.0.0.1:9/ws')).toBeNull();
    process.env.HTTP_PROXY = 'http://plain-proxy:3128';
    expect(await relayProxyUrl('system', 'ws://127.0.0.1:9/ws')).toBe('http://plain-proxy:3128');
    process.env.NO_PROXY = 'relay.hospital.example,127.0.0.1';
    expect(await relayProxyUrl('system', relay)).toBeNull();
    expect(await relayProxyUrl('system', 'ws://127.0.0.1:9/ws')).toBeNull();
    // "direct" ignores the environment.
    expect(await relayProxyUrl('direct', 'ws://elsewhere:9')).toBeNull();
  });

  it('builds the agent for the proxy kind; none for direct', async () => {
    expect(agentForProxy('http://proxy:3128')).toBeInstanceOf(HttpsProxyAgent);
    expect(agentForProxy('https://proxy:443')).toBeInstanceOf(HttpsProxyAgent);
    expect(agentForProxy('socks5://proxy:1080')).toBeInstanceOf(SocksProxyAgent);
    expect(() => agentForProxy('ftp://proxy:21')).toThrow();
    expect(await relayAgentSource('direct')('wss://relay.example')).toBeUndefined();
    expect(await relayAgentSource('system', { resolveSystem: () => Promise.resolve('DIRECT') })('wss://relay.example')).toBeUndefined();
    expect(await relayAgentSource('system', { resolveSystem: () => Promise.resolve('SOCKS5 h:1080') })('wss://relay.example')).toBeInstanceOf(SocksProxyAgent);
  });
});
