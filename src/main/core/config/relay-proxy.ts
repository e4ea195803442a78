/**
 * The managed `proxy` setting (docs/deployment.md) for the core's relay WebSocket, which is a
 * Node connection that Electron's session proxy does not cover:
 *   "direct"                      no proxy;
 *   http(s)://host:port           HTTP CONNECT tunnel (https-proxy-agent), TLS to the relay inside it;
 *   socks5://host:port            SOCKS5 (socks-proxy-agent);
 *   "system"                      the OS setting: in Electron, the shell's resolver
 *                                 (session.resolveProxy, PAC-style answer); elsewhere (web host,
 *                                 tests) HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY (proxy-from-env).
 * A proxy that cannot be reached makes the connection fail like an unreachable relay
 * (RELAY_UNAVAILABLE, reconnect with backoff); there is no silent fallback to a direct
 * connection, which a hospital's network policy may forbid.
 */
import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { SocksProxyAgent } from 'socks-proxy-agent';

/** Electron's `session.resolveProxy(url)`: e.g. "PROXY proxy:3128; DIRECT", "SOCKS5 h:1080", "DIRECT". */
export type SystemProxyResolver = (url: string) => Promise<string>;

/** Resolves the agent for one relay connection; undefined = direct. */
export type RelayAgentSource = (relayUrl: string) => Promise<Agent | undefined>;

const PAC_SCHEMES: Readonly<Record<string, string>> = { PROXY: 'http', HTTPS: 'https', SOCKS: 'socks4', SOCKS4: 'socks4', SOCKS5: 'socks5' };

/**
 * The first usable entry of a PAC-style answer as a proxy URL, or null for DIRECT. Later
 * fallback entries are not tried (one proxy per connection attempt; the link retries).
 */
export function proxyUrlFromPac(answer: string): string | null {
  for (const entry of answer.split(';')) {
    const [kind, hostPort] = entry.trim().split(/\s+/);
    if (!kind) continue;
    if (kind.toUpperCase() === 'DIRECT') return null;
    const scheme = PAC_SCHEMES[kind.toUpperCase()];
    if (scheme && hostPort && /^[\w.-]+:\d{1,5}$|^\[[\d:a-fA-F]+\]:\d{1,5}$/.test(hostPort)) return `${scheme}://${hostPort}`;
  }
  return null;
}

/** The proxy URL for a relay URL under a setting, or null for a direct connection. */
export async function relayProxyUrl(setting: string, relayUrl: string, resolveSystem?: SystemProxyResolver): Promise<string | null> {
  if (setting === 'direct') return null;
  if (setting !== 'system') return setting;
  // Resolvers and env variables think in http(s) URLs; the WebSocket upgrade is one.
  const asHttp = relayUrl.replace(/^ws(s?):/i, 'http$1:');
  if (resolveSystem) return proxyUrlFromPac(await resolveSystem(asHttp));
  return getProxyForUrl(asHttp) || null;
}

export function agentForProxy(proxyUrl: string): Agent {
  const protocol = new URL(proxyUrl).protocol;
  if (protocol === 'http:' || protocol === 'https:') return new HttpsProxyAgent(proxyUrl);
  if (protocol === 'socks5:' || protocol === 'socks4:' || protocol === 'socks:') return new SocksProxyAgent(proxyUrl);
  throw new TypeError('unsupported proxy scheme');
}

/** The relay connection's agent source for the managed `proxy` setting. */
export function relayAgentSource(setting: string, options: { readonly resolveSystem?: SystemProxyResolver } = {}): RelayAgentSource {
  return async (relayUrl) => {
    const proxy = await relayProxyUrl(setting, relayUrl, options.resolveSystem);
    return proxy === null ? undefined : agentForProxy(proxy);
  };
}
