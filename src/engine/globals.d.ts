// The engine compiles without DOM or Node typings (so it can never reach for fs or vscode),
// but TextEncoder/TextDecoder exist in every runtime it targets: Node, VS Code, webviews.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
