// The engine compiles without DOM or Node typings (so it can never reach for fs or vscode),
// but TextEncoder/TextDecoder exist in every runtime it targets: Node, VS Code, webviews.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}

// The slice of WebAssembly the zlib module needs (wasm-zlib.ts); present in Node, VS Code's
// extension host and webviews alike. Declared here for the same reason as above.
declare function atob(data: string): string;
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: object);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}
