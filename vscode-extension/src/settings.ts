// What the extension sends to the language server as `initializationOptions`: the `Settings`
// object of ecrlint's core, exactly (the server rejects unknown keys), and the editor's cap on
// diagnostics, built from the `ecrlint.*` settings. Both engines take the same object.

/** The part of `vscode.WorkspaceConfiguration` this module reads (section `ecrlint`). */
export interface ConfigurationReader {
  get<T>(key: string): T | undefined;
}

export type Severity = "info" | "warning" | "error";

/** Mirrors `ecrlint_core::Settings` (serde: kebab-case, with `accountId` accepted for `account-id`). */
export interface ServerSettings {
  /** Rules to run; left out to run them all. */
  select?: string[];
  ignore: string[];
  accountId?: string;
  severity: Record<string, Severity>;
  /** Left out while empty: the untrusted-account rule is then silent. */
  trustedAccounts?: string[];
  /** Left out while `unknown`, the server's default. */
  registryScanning?: "covers-all";
  /** Left out while it is the server's default, 1000. */
  maxDiagnostics?: number;
}

/** How many findings per file the server publishes unless told otherwise. */
export const DEFAULT_MAX_DIAGNOSTICS = 1000;

export interface MappedSettings {
  settings: ServerSettings;
  /** Values that could not be passed on, in words for the output channel. */
  problems: string[];
}

const SEVERITIES: readonly string[] = ["info", "warning", "error"];

export function serverSettings(config: ConfigurationReader): MappedSettings {
  const problems: string[] = [];
  const settings: ServerSettings = { ignore: [], severity: {} };

  const select = config.get<unknown>("select");
  if (select !== undefined && select !== null) {
    const rules = ruleList("select", select, problems);
    if (rules) {
      settings.select = rules;
    }
  }
  settings.ignore = ruleList("ignore", config.get<unknown>("ignore") ?? [], problems) ?? [];

  const accountId = config.get<unknown>("accountId");
  if (typeof accountId === "string") {
    const trimmed = accountId.trim();
    if (trimmed !== "") {
      settings.accountId = trimmed;
    }
  } else if (accountId !== undefined && accountId !== null) {
    problems.push(`ecrlint.accountId must be a string of 12 digits, not ${JSON.stringify(accountId)}`);
  }

  const severity = config.get<unknown>("severity");
  if (isPlainObject(severity)) {
    for (const [rule, level] of Object.entries(severity)) {
      if (typeof level === "string" && SEVERITIES.includes(level)) {
        settings.severity[rule] = level as Severity;
      } else {
        problems.push(
          `ecrlint.severity: ${JSON.stringify(level)} for ${rule} is not one of info, warning, error`,
        );
      }
    }
  } else if (severity !== undefined && severity !== null) {
    problems.push(`ecrlint.severity must be an object mapping rules to info, warning or error`);
  }

  const trusted = config.get<unknown>("trustedAccounts");
  if (Array.isArray(trusted)) {
    const accounts: string[] = [];
    for (const item of trusted) {
      if (typeof item === "string" && /^\d{12}$/.test(item.trim())) {
        accounts.push(item.trim());
      } else {
        problems.push(`ecrlint.trustedAccounts: ${JSON.stringify(item)} is not a 12-digit account id`);
      }
    }
    if (accounts.length > 0) {
      settings.trustedAccounts = accounts;
    }
  } else if (trusted !== undefined && trusted !== null) {
    problems.push(`ecrlint.trustedAccounts must be a list of 12-digit account ids, not ${JSON.stringify(trusted)}`);
  }

  const registryScanning = config.get<unknown>("registryScanning");
  if (registryScanning === "covers-all") {
    settings.registryScanning = registryScanning;
  } else if (registryScanning !== undefined && registryScanning !== null && registryScanning !== "unknown") {
    problems.push(`ecrlint.registryScanning must be "unknown" or "covers-all", not ${JSON.stringify(registryScanning)}`);
  }

  const maxDiagnostics = config.get<unknown>("maxDiagnostics");
  if (typeof maxDiagnostics === "number" && Number.isInteger(maxDiagnostics) && maxDiagnostics > 0) {
    if (maxDiagnostics !== DEFAULT_MAX_DIAGNOSTICS) {
      settings.maxDiagnostics = maxDiagnostics;
    }
  } else if (maxDiagnostics !== undefined && maxDiagnostics !== null) {
    problems.push(`ecrlint.maxDiagnostics must be a whole number above 0, not ${JSON.stringify(maxDiagnostics)}`);
  }

  return { settings, problems };
}

/** The rule selectors in a list setting; `undefined` (and a problem) when it is not a list. */
function ruleList(key: string, value: unknown, problems: string[]): string[] | undefined {
  if (!Array.isArray(value)) {
    problems.push(`ecrlint.${key} must be a list of rule codes or names, not ${JSON.stringify(value)}`);
    return undefined;
  }
  const rules: string[] = [];
  for (const item of value) {
    if (typeof item === "string" && item.trim() !== "") {
      rules.push(item.trim());
    } else {
      problems.push(`ecrlint.${key}: ${JSON.stringify(item)} is not a rule code or name`);
    }
  }
  return rules;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
