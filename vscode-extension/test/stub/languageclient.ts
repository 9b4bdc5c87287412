// A stand-in for `vscode-languageclient/node` (and its common part, `vscode-languageclient`): records how the extension builds and drives its
// language clients instead of starting a process.

export interface Executable {
  command: string;
  args?: string[];
}

export interface NodeModule {
  module: string;
  transport?: number;
}

export const TransportKind = { stdio: 0, ipc: 1, pipe: 2, socket: 3 } as const;

export const DidChangeConfigurationNotification = {
  type: { method: "workspace/didChangeConfiguration" },
};

export class LanguageClient {
  static instances: LanguageClient[] = [];
  /** Makes the next `start()` fail with this message. */
  static failNextStart: string | undefined;

  state: "new" | "running" | "stopped" | "failed" = "new";
  notifications: { method: string; params: unknown }[] = [];
  initializeResult: { serverInfo?: { name: string; version?: string } } | undefined;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly serverOptions: Executable | { run: NodeModule; debug: NodeModule },
    readonly clientOptions: Record<string, unknown>,
  ) {
    LanguageClient.instances.push(this);
  }

  async start(): Promise<void> {
    const failure = LanguageClient.failNextStart;
    LanguageClient.failNextStart = undefined;
    if (failure !== undefined) {
      this.state = "failed";
      throw new Error(failure);
    }
    this.state = "running";
    this.initializeResult = { serverInfo: { name: "ecrlint", version: "0.1.0" } };
  }

  async sendNotification(type: { method: string }, params: unknown): Promise<void> {
    if (this.state !== "running") {
      throw new Error(`notification ${type.method} sent to a ${this.state} client`);
    }
    this.notifications.push({ method: type.method, params });
  }

  async stop(): Promise<void> {
    this.state = "stopped";
  }
}
