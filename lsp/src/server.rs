//! The language server. Documents change synchronously and strictly in arrival order: each
//! notification handler mutates the state before its first `.await`, and tower-lsp-server starts
//! handlers in the order messages arrive. Checks run off the message loop (`spawn_blocking`), one
//! task per document that always picks up the latest text, so a burst of keystrokes costs one
//! check at a time and ends in diagnostics for exactly the final text. Results are published
//! with the document version, in order, and dropped when the document moved on meanwhile.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ecrlint_core::{Checked, Encoding};
use ecrlint_ide::actions::{self, Snapshot, FIX_ALL};
use ecrlint_ide::settings::EditorSettings;
use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeActionOptions, CodeActionParams, CodeActionProviderCapability, CodeActionResponse,
    ConfigurationItem, DidChangeConfigurationParams, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidChangeWatchedFilesRegistrationOptions,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    FileSystemWatcher, GlobPattern, Hover, HoverParams, HoverProviderCapability, InitializeParams,
    InitializeResult, InitializedParams, MessageType, Registration, SaveOptions,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use tower_lsp_server::{Client, LanguageServer};

use crate::config::{self, ConfigFiles};
use crate::document::{self, Document, Positions, Published};
use crate::module;

pub use ecrlint_ide::{CheckFn, Core, FixFn};

/// The open documents of a folder, by path.
type OpenInFolder = Vec<(PathBuf, Arc<String>)>;

pub struct Backend {
    shared: Arc<Shared>,
}

struct Shared {
    client: Client,
    state: Mutex<State>,
    /// Held while a result is compared with the document and sent, so that publications leave
    /// in the order their checks were found current.
    publishing: tokio::sync::Mutex<()>,
    files: ConfigFiles,
    core: Core,
}

#[derive(Default)]
struct State {
    documents: HashMap<Uri, Document>,
    encoding: Option<Encoding>,
    /// What the editor sent, before any `ecrlint.toml` is applied under it.
    editor: EditorSettings,
    workspace: Option<PathBuf>,
    next_generation: u64,
    client: ClientSupport,
}

#[derive(Clone, Copy, Default)]
struct ClientSupport {
    configuration: bool,
    document_changes: bool,
    watched_files: bool,
}

impl State {
    fn encoding(&self) -> Encoding {
        self.encoding.unwrap_or(Encoding::Utf16)
    }

    fn generation(&mut self) -> u64 {
        self.next_generation += 1;
        self.next_generation
    }

    /// Marks a document changed; true when a check task must be started for it.
    fn touch(&mut self, uri: &Uri) -> bool {
        let generation = self.generation();
        let Some(doc) = self.documents.get_mut(uri) else {
            return false;
        };
        doc.generation = generation;
        !std::mem::replace(&mut doc.checking, true)
    }

    /// The open documents in the folder of `uri` (not itself), with their paths.
    fn open_in_folder_of(&self, uri: &Uri) -> Vec<(PathBuf, Arc<String>)> {
        let Some(folder) = document::file_path(uri).and_then(|p| p.parent().map(Path::to_path_buf))
        else {
            return Vec::new();
        };
        self.documents
            .iter()
            .filter(|(other, _)| *other != uri)
            .filter_map(|(other, doc)| {
                let path = document::file_path(other)?;
                (path.parent() == Some(folder.as_path())).then(|| (path, doc.text.clone()))
            })
            .collect()
    }

    /// The other open Terraform documents of the module `uri` belongs to (their findings may
    /// depend on it), marked changed; the ones needing a task.
    fn touch_module_of(&mut self, uri: &Uri) -> Vec<Uri> {
        let Some(path) = document::file_path(uri).filter(|p| module::is_terraform(p)) else {
            return Vec::new();
        };
        let folder = path.parent().map(Path::to_path_buf);
        let others: Vec<Uri> = self
            .documents
            .keys()
            .filter(|other| *other != uri)
            .filter(|other| {
                document::file_path(other).is_some_and(|p| {
                    module::is_terraform(&p) && p.parent().map(Path::to_path_buf) == folder
                })
            })
            .cloned()
            .collect();
        others.into_iter().filter(|u| self.touch(u)).collect()
    }

    /// Marks every document changed (the settings did); the ones needing a task.
    fn touch_all(&mut self) -> Vec<Uri> {
        let uris: Vec<Uri> = self.documents.keys().cloned().collect();
        uris.into_iter().filter(|uri| self.touch(uri)).collect()
    }
}

/// One check to run: a document as it stood, with the settings for it.
struct Job {
    uri: Uri,
    text: Arc<String>,
    version: i32,
    generation: u64,
    path_hint: Option<String>,
    directory: Option<PathBuf>,
    /// The open documents of the same folder, by path: a Terraform module's siblings are read
    /// from them before the disk.
    open: Vec<(PathBuf, Arc<String>)>,
    editor: EditorSettings,
    encoding: Encoding,
}

enum Outcome {
    Checked {
        checked: Checked,
        diagnostics: Vec<tower_lsp_server::ls_types::Diagnostic>,
    },
    Panicked(String),
}

impl Backend {
    pub fn new(client: Client, core: Core) -> Self {
        Backend {
            shared: Arc::new(Shared {
                client,
                state: Mutex::new(State::default()),
                publishing: tokio::sync::Mutex::new(()),
                files: ConfigFiles::default(),
                core,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.state()
    }

    fn start_checks(&self, uris: Vec<Uri>) {
        for uri in uris {
            tokio::spawn(check_until_current(self.shared.clone(), uri));
        }
    }

    /// Takes new editor settings and checks every open document again.
    async fn use_editor_settings(&self, value: &Value, origin: &str) {
        match config::from_client(value) {
            Ok(None) => {}
            Ok(Some(settings)) => {
                let problems = settings.checks.validate();
                let uris = {
                    let mut state = self.state();
                    state.editor = settings;
                    state.touch_all()
                };
                self.start_checks(uris);
                for problem in problems {
                    self.warn(format!("ecrlint: {origin}: {problem}")).await;
                }
            }
            Err(message) => {
                self.warn(format!(
                    "ecrlint: {origin} not used, the previous settings stay: {message}"
                ))
                .await;
            }
        }
    }

    /// Asks the editor for the `ecrlint` section (`workspace/configuration`).
    async fn pull_configuration(&self) {
        let item = ConfigurationItem {
            scope_uri: None,
            section: Some("ecrlint".into()),
        };
        match self.shared.client.configuration(vec![item]).await {
            Ok(values) => {
                if let Some(value) = values.first() {
                    self.use_editor_settings(value, "workspace/configuration")
                        .await;
                }
            }
            Err(error) => {
                self.shared
                    .client
                    .log_message(
                        MessageType::WARNING,
                        format!("ecrlint: workspace/configuration failed: {error}"),
                    )
                    .await;
            }
        }
    }

    /// A configuration file changed: read the files again and check everything again.
    fn config_files_changed(&self) {
        self.shared.files.clear();
        let uris = self.state().touch_all();
        self.start_checks(uris);
    }

    async fn warn(&self, message: String) {
        self.shared
            .client
            .log_message(MessageType::WARNING, &message)
            .await;
        self.shared
            .client
            .show_message(MessageType::WARNING, message)
            .await;
    }

    /// The document as it stands, for code actions, with the open documents of its folder: its
    /// module's other files are read off the message loop, and only when fix all needs them.
    fn snapshot(&self, uri: &Uri) -> Option<(Snapshot, OpenInFolder)> {
        let state = self.state();
        let doc = state.documents.get(uri)?;
        let path_hint = document::path_hint(uri, &doc.language_id);
        let directory = directory_of(uri, &state);
        let file = directory.and_then(|d| self.shared.files.nearest(&d));
        let file_settings = file.as_ref().and_then(|f| f.settings.as_ref().ok());
        let snapshot = Snapshot {
            uri: uri.clone(),
            text: doc.text.clone(),
            version: doc.version,
            siblings: Vec::new(),
            path_hint,
            settings: config::merge(file_settings, &state.editor.checks),
            fix: self.shared.core.fix,
            encoding: state.encoding(),
            document_changes: state.client.document_changes,
        };
        Some((snapshot, state.open_in_folder_of(uri)))
    }
}

/// Where to look for `ecrlint.toml`: the document's directory, or the workspace for an unsaved one.
fn directory_of(uri: &Uri, state: &State) -> Option<PathBuf> {
    match document::file_path(uri) {
        Some(path) => path.parent().map(|p| p.to_path_buf()),
        None => state.workspace.clone(),
    }
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // No handler leaves the state half-changed across a panic (core calls run outside
        // the lock), so a poisoned lock still guards consistent data.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Checks one document until a result matches its latest generation, and publishes it.
async fn check_until_current(shared: Arc<Shared>, uri: Uri) {
    loop {
        let job = {
            let state = shared.state();
            let Some(doc) = state.documents.get(&uri) else {
                return;
            };
            Job {
                uri: uri.clone(),
                text: doc.text.clone(),
                version: doc.version,
                generation: doc.generation,
                path_hint: document::path_hint(&uri, &doc.language_id),
                directory: directory_of(&uri, &state),
                open: state.open_in_folder_of(&uri),
                editor: state.editor.clone(),
                encoding: state.encoding(),
            }
        };
        let worker = shared.clone();
        let (job, outcome, problems) = match tokio::task::spawn_blocking(move || {
            let (outcome, problems) = run(&worker, &job);
            (job, outcome, problems)
        })
        .await
        {
            Ok(done) => done,
            Err(error) => {
                // The blocking pool is gone (the runtime is shutting down).
                shared
                    .client
                    .log_message(
                        MessageType::ERROR,
                        format!("ecrlint: check failed: {error}"),
                    )
                    .await;
                return;
            }
        };
        for problem in problems {
            shared
                .client
                .show_message(MessageType::WARNING, format!("ecrlint: {problem}"))
                .await;
        }
        let (published, diagnostics, failure) = match outcome {
            Outcome::Checked {
                checked,
                diagnostics,
            } => {
                let published = Published {
                    version: job.version,
                    generation: job.generation,
                    checked,
                };
                (Some(Arc::new(published)), diagnostics, None)
            }
            Outcome::Panicked(message) => (None, Vec::new(), Some(message)),
        };
        let _order = shared.publishing.lock().await;
        let current = {
            let mut state = shared.state();
            let Some(doc) = state.documents.get_mut(&uri) else {
                return;
            };
            let current = doc.generation == job.generation;
            if current {
                doc.checking = false;
                doc.published = published;
            }
            current
        };
        if !current {
            // Edited meanwhile: this result is stale; check the latest text.
            continue;
        }
        if let Some(message) = failure {
            shared
                .client
                .log_message(
                    MessageType::ERROR,
                    format!(
                        "ecrlint: checking {} (version {}) failed: {message}. Please report this with the file.",
                        uri.as_str(),
                        job.version
                    ),
                )
                .await;
        }
        shared
            .client
            .publish_diagnostics(uri.clone(), diagnostics, Some(job.version))
            .await;
        return;
    }
}

/// Runs a job on the blocking pool: settings, the check (a panic caught), and the conversion.
fn run(shared: &Shared, job: &Job) -> (Outcome, Vec<String>) {
    let file = job
        .directory
        .as_deref()
        .and_then(|d| shared.files.nearest(d));
    let problems = file
        .as_ref()
        .map(|f| f.problems_to_report())
        .unwrap_or_default();
    let file_settings = file.as_ref().and_then(|f| f.settings.as_ref().ok());
    let settings = config::merge(file_settings, &job.editor.checks);
    let check = shared.core.check;
    let text = job.text.as_str();
    let siblings = document::file_path(&job.uri)
        .map(|path| module::sibling_texts(&path, text, &job.open))
        .unwrap_or_default();
    let sources = module::sources(&siblings);
    let checked = match catch_unwind(AssertUnwindSafe(|| {
        check(text, job.path_hint.as_deref(), &sources, &settings)
    })) {
        Ok(checked) => checked,
        Err(panic) => return (Outcome::Panicked(panic_message(&panic)), problems),
    };
    let diagnostics = ecrlint_ide::diagnostics::diagnostics(
        &checked,
        text,
        &job.uri,
        job.version,
        &siblings,
        job.encoding,
        job.editor.max_diagnostics,
    );
    (
        Outcome::Checked {
            checked,
            diagnostics,
        },
        problems,
    )
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string())
}

/// Runs `work` on the blocking pool with panics caught; `None` (logged) when it panicked.
async fn blocking<T: Send + 'static>(
    client: &Client,
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let result = tokio::task::spawn_blocking(move || catch_unwind(AssertUnwindSafe(work))).await;
    match result {
        Ok(Ok(value)) => Some(value),
        Ok(Err(panic)) => {
            client
                .log_message(
                    MessageType::ERROR,
                    format!("ecrlint: {what} failed: {}", panic_message(&panic)),
                )
                .await;
            None
        }
        Err(error) => {
            client
                .log_message(
                    MessageType::ERROR,
                    format!("ecrlint: {what} failed: {error}"),
                )
                .await;
            None
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let capabilities = &params.capabilities;
        let encoding = document::negotiate(
            capabilities
                .general
                .as_ref()
                .and_then(|g| g.position_encodings.as_deref()),
        );
        let workspace = capabilities.workspace.as_ref();
        let support = ClientSupport {
            configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
            document_changes: workspace
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            watched_files: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|w| w.dynamic_registration)
                .unwrap_or(false),
        };
        #[allow(deprecated)] // `root_uri`: still what many clients send.
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .map(|f| &f.uri)
            .or(params.root_uri.as_ref())
            .and_then(document::file_path);
        {
            let mut state = self.state();
            state.encoding = Some(encoding);
            state.client = support;
            state.workspace = root;
        }
        if let Some(options) = &params.initialization_options {
            self.use_editor_settings(options, "initializationOptions")
                .await;
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(document::encoding_kind(encoding)),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                            include_text: Some(false),
                        })),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            tower_lsp_server::ls_types::CodeActionKind::QUICKFIX,
                            FIX_ALL,
                        ]),
                        resolve_provider: Some(false),
                        ..CodeActionOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "ecrlint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let support = self.state().client;
        if support.watched_files {
            let options = DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![FileSystemWatcher {
                    glob_pattern: GlobPattern::String(format!("**/{}", config::FILE_NAME)),
                    kind: None,
                }],
            };
            let registration = Registration {
                id: "ecrlint-config-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            };
            if let Err(error) = self
                .shared
                .client
                .register_capability(vec![registration])
                .await
            {
                self.shared
                    .client
                    .log_message(
                        MessageType::WARNING,
                        format!("ecrlint: cannot watch {}: {error}", config::FILE_NAME),
                    )
                    .await;
            }
        }
        if support.configuration {
            self.pull_configuration().await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let start = {
            let mut state = self.state();
            let generation = state.generation();
            let doc = Document::new(item.text, item.version, item.language_id, generation);
            state.documents.insert(item.uri.clone(), doc);
            state.touch(&item.uri)
        };
        if start {
            self.start_checks(vec![item.uri]);
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let (start, out_of_order) = {
            let mut state = self.state();
            let encoding = state.encoding();
            match state.documents.get_mut(&uri) {
                None => (false, None),
                Some(doc) => {
                    let previous = doc.version;
                    doc.apply(params.content_changes, encoding);
                    doc.version = version;
                    let start = state.touch(&uri);
                    (start, (version <= previous).then_some(previous))
                }
            }
        };
        if start {
            self.start_checks(vec![uri.clone()]);
        }
        let module = self.state().touch_module_of(&uri);
        self.start_checks(module);
        if let Some(previous) = out_of_order {
            self.shared
                .client
                .log_message(
                    MessageType::WARNING,
                    format!(
                        "ecrlint: {} went from version {previous} to {version}; versions should increase",
                        uri.as_str()
                    ),
                )
                .await;
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let is_config = document::file_path(&params.text_document.uri)
            .is_some_and(|p| config::is_config_file(&p));
        if is_config {
            self.config_files_changed();
        }
        let module = self.state().touch_module_of(&params.text_document.uri);
        self.start_checks(module);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let removed = self.state().documents.remove(&uri).is_some();
        if removed {
            let _order = self.shared.publishing.lock().await;
            self.shared
                .client
                .publish_diagnostics(uri, Vec::new(), None)
                .await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let pull = match config::from_client(&params.settings) {
            Ok(None) => self.state().client.configuration,
            _ => false,
        };
        if pull {
            self.pull_configuration().await;
        } else {
            self.use_editor_settings(&params.settings, "didChangeConfiguration")
                .await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let touches_config = params.changes.iter().any(|change| {
            document::file_path(&change.uri).is_some_and(|p| config::is_config_file(&p))
        });
        if touches_config {
            self.config_files_changed();
        }
        // A module file changed on disk: its open siblings are checked again.
        let module: Vec<Uri> = {
            let mut state = self.state();
            params
                .changes
                .iter()
                .flat_map(|change| state.touch_module_of(&change.uri))
                .collect()
        };
        self.start_checks(module);
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some((mut snapshot, open)) = self.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        let only = params.context.only.clone();
        let diagnostics = params.context.diagnostics;
        let work = move || {
            if only.is_some() && actions::wanted(only.as_deref(), &FIX_ALL) {
                snapshot.siblings = document::file_path(&snapshot.uri)
                    .map(|path| module::sibling_texts(&path, &snapshot.text, &open))
                    .unwrap_or_default();
            }
            actions::code_actions(only.as_deref(), &diagnostics, &snapshot)
        };
        let found = blocking(&self.shared.client, "code actions", work)
            .await
            .unwrap_or_default();
        Ok(Some(found.into_iter().map(Into::into).collect()))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let (published, text, encoding) = {
            let state = self.state();
            let Some(doc) = state.documents.get(&position.text_document.uri) else {
                return Ok(None);
            };
            let Some(published) = doc.published.clone() else {
                return Ok(None);
            };
            // Findings belong to the text they were made for.
            if published.generation != doc.generation || published.version != doc.version {
                return Ok(None);
            }
            (published, doc.text.clone(), state.encoding())
        };
        if !published.checked.kind.is_ours() {
            return Ok(None);
        }
        let work = move || {
            let offset = document::offset_at(&text, position.position, encoding) as u32;
            let positions = Positions::new(&text, encoding);
            ecrlint_ide::hover::hover(&published.checked, offset, &positions)
        };
        Ok(blocking(&self.shared.client, "hover", work).await.flatten())
    }
}
