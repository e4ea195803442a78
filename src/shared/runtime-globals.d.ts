// The few web-standard globals that every runtime we target (Node 20, Chromium, Electron) has.
// Declared here because src/shared compiles without DOM or Node typings on purpose.
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
