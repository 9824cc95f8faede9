/**
 * The part of the WebAssembly JavaScript API our kernels use. Node has it built in, but
 * @types/node does not declare it and the DOM library would bring in the browser's globals.
 */
declare global {
  namespace WebAssembly {
    interface MemoryDescriptor {
      /** Size in 64 KiB pages. */
      initial: number;
      maximum?: number;
    }
    class Memory {
      constructor(descriptor: MemoryDescriptor);
      readonly buffer: ArrayBuffer;
      grow(deltaPages: number): number;
    }
    class Module {
      constructor(bytes: Uint8Array);
    }
    type ExportValue = ((...args: number[]) => number | undefined) | Memory;
    type Imports = Record<string, Record<string, ExportValue>>;
    class Instance {
      constructor(module: Module, imports?: Imports);
      readonly exports: Record<string, ExportValue>;
    }
    function validate(bytes: Uint8Array): boolean;
  }
}

export {};
