/** proxy-from-env 2 ships no typings: the one function we call. */
declare module 'proxy-from-env' {
  /** The proxy URL for `url` from HTTP(S)_PROXY / ALL_PROXY, honouring NO_PROXY; '' = direct. */
  export function getProxyForUrl(url: string | URL): string;
}
