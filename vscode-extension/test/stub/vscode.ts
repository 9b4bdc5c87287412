// A small stand-in for the `vscode` module: the parts of the API the extension uses, with state a
// test can set (settings, workspace trust, the user's answer to a message) and records of what the
// extension did (messages shown, commands run, edits applied).

import * as fs from "node:fs";
import * as path from "node:path";

type Listener<T> = (event: T) => unknown;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    });
  };
  fire(event: T): void {
    for (const listener of [...this.listeners]) {
      listener(event);
    }
  }
}

export class Disposable {
  constructor(private readonly onDispose: () => void) {}
  dispose(): void {
    this.onDispose();
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  constructor(
    readonly start: Position,
    readonly end: Position,
  ) {}
}

export class CodeActionKind {
  static readonly Empty = new CodeActionKind("");
  static readonly QuickFix = new CodeActionKind("quickfix");
  static readonly Source = new CodeActionKind("source");
  static readonly SourceFixAll = new CodeActionKind("source.fixAll");
  constructor(readonly value: string) {}
  append(part: string): CodeActionKind {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }
  contains(other: CodeActionKind): boolean {
    return this.value === other.value || other.value.startsWith(`${this.value}.`);
  }
}

export class WorkspaceEdit {
  readonly replacements: { uri: string; range: Range; text: string }[] = [];
  replace(uri: { toString(): string }, range: Range, text: string): void {
    this.replacements.push({ uri: uri.toString(), range, text });
  }
  get size(): number {
    return new Set(this.replacements.map((r) => r.uri)).size;
  }
}

export class CodeAction {
  edit?: WorkspaceEdit;
  command?: { command: string; title: string; arguments?: unknown[] };
  constructor(
    readonly title: string,
    readonly kind?: CodeActionKind,
  ) {}
}

export interface OutputChannel {
  name: string;
  lines: string[];
  shown: number;
  appendLine(line: string): void;
  append(text: string): void;
  show(preserveFocus?: boolean): void;
  dispose(): void;
}

interface SettingValues {
  globalValue?: unknown;
  workspaceValue?: unknown;
}

export interface Message {
  level: "error" | "warning" | "information";
  text: string;
  items: string[];
}

export interface FakeDocument {
  uri: { toString(): string };
  getText(): string;
  positionAt(offset: number): Position;
}

export interface ConfigurationChange {
  affectsConfiguration(section: string): boolean;
}

const manifest = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8"),
) as { contributes: { configuration: { properties: Record<string, { default?: unknown }> } } };

/** The state of the pretend VS Code; `reset()` between tests. */
export const fake = {
  settings: new Map<string, SettingValues>(),
  trusted: true,
  messages: [] as Message[],
  /** The item the user picks for a message (undefined: the message is dismissed). */
  answer: undefined as string | undefined,
  executed: [] as { command: string; args: unknown[] }[],
  handlers: new Map<string, (...args: unknown[]) => unknown>(),
  channels: [] as OutputChannel[],
  activeTextEditor: undefined as { document: FakeDocument } | undefined,
  /** What `vscode.executeCodeActionProvider` answers. */
  codeActions: [] as CodeAction[],
  applied: [] as WorkspaceEdit[],
  applyEditSucceeds: true,
  configurationChanged: new EventEmitter<ConfigurationChange>(),
  trustGranted: new EventEmitter<void>(),

  reset(): void {
    fake.settings.clear();
    fake.trusted = true;
    fake.messages = [];
    fake.answer = undefined;
    fake.executed = [];
    fake.handlers.clear();
    fake.channels = [];
    fake.activeTextEditor = undefined;
    fake.codeActions = [];
    fake.applied = [];
    fake.applyEditSucceeds = true;
    fake.configurationChanged = new EventEmitter<ConfigurationChange>();
    fake.trustGranted = new EventEmitter<void>();
  },

  /** Sets a user (global) setting, e.g. `setUser("ecrlint.path", "/opt/ecrlint")`. */
  setUser(key: string, value: unknown): void {
    fake.settings.set(key, { ...fake.settings.get(key), globalValue: value });
  },

  setWorkspace(key: string, value: unknown): void {
    fake.settings.set(key, { ...fake.settings.get(key), workspaceValue: value });
  },

  /** Announces a settings change, as VS Code does after the user edits settings. */
  changeSettings(...keys: string[]): void {
    fake.configurationChanged.fire({
      affectsConfiguration: (section) =>
        keys.some((key) => key === section || key.startsWith(`${section}.`)),
    });
  },
};

function defaultOf(key: string): unknown {
  return manifest.contributes.configuration.properties[key]?.default;
}

export const workspace = {
  get isTrusted(): boolean {
    return fake.trusted;
  },
  getConfiguration(section: string) {
    return {
      get<T>(key: string, fallback?: T): T | undefined {
        const full = `${section}.${key}`;
        const values = fake.settings.get(full);
        const value = values?.workspaceValue ?? values?.globalValue ?? defaultOf(full);
        return (value ?? fallback) as T | undefined;
      },
      inspect<T>(key: string) {
        const full = `${section}.${key}`;
        const values = fake.settings.get(full);
        return {
          key: full,
          defaultValue: defaultOf(full) as T | undefined,
          globalValue: values?.globalValue as T | undefined,
          workspaceValue: values?.workspaceValue as T | undefined,
        };
      },
    };
  },
  onDidChangeConfiguration(listener: Listener<ConfigurationChange>): Disposable {
    return fake.configurationChanged.event(listener);
  },
  onDidGrantWorkspaceTrust(listener: Listener<void>): Disposable {
    return fake.trustGranted.event(listener);
  },
  async applyEdit(edit: WorkspaceEdit): Promise<boolean> {
    fake.applied.push(edit);
    return fake.applyEditSucceeds;
  },
};

async function show(level: Message["level"], text: string, ...items: string[]) {
  fake.messages.push({ level, text, items });
  return fake.answer !== undefined && items.includes(fake.answer) ? fake.answer : undefined;
}

export const window = {
  get activeTextEditor() {
    return fake.activeTextEditor;
  },
  createOutputChannel(name: string): OutputChannel {
    const channel: OutputChannel = {
      name,
      lines: [],
      shown: 0,
      appendLine(line) {
        channel.lines.push(line);
      },
      append(text) {
        channel.lines.push(text);
      },
      show() {
        channel.shown += 1;
      },
      dispose() {},
    };
    fake.channels.push(channel);
    return channel;
  },
  showErrorMessage: (text: string, ...items: string[]) => show("error", text, ...items),
  showWarningMessage: (text: string, ...items: string[]) => show("warning", text, ...items),
  showInformationMessage: (text: string, ...items: string[]) => show("information", text, ...items),
};

export const commands = {
  registerCommand(command: string, handler: (...args: unknown[]) => unknown): Disposable {
    if (fake.handlers.has(command)) {
      throw new Error(`command ${command} registered twice`);
    }
    fake.handlers.set(command, handler);
    return new Disposable(() => fake.handlers.delete(command));
  },
  async executeCommand(command: string, ...args: unknown[]): Promise<unknown> {
    fake.executed.push({ command, args });
    if (command === "vscode.executeCodeActionProvider") {
      const kind = new CodeActionKind(String(args[2]));
      return fake.codeActions.filter((action) => action.kind && kind.contains(action.kind));
    }
    return fake.handlers.get(command)?.(...args);
  },
};

/** Classes the real language client (inside the packaged bundle) extends when it loads. */
export class CompletionItem {}
export class CallHierarchyItem {}
export class Diagnostic {}
export class DocumentLink {}
export class CodeLens {}
export class InlayHint {}
export class SymbolInformation {}
export class TypeHierarchyItem {}
export class CancellationError extends Error {}
