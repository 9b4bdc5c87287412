//! What the audit tests share: the ecrlint binary run against a given AWS endpoint with
//! credentials of its own (nothing from the machine's AWS configuration), and moto's server
//! from the virtualenv `cargo xtask setup` makes.

#![allow(dead_code)]

pub mod fake_aws;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `ecrlint ARGS` in `dir` against `endpoint`, with test credentials and `AWS_REGION`
/// `us-east-1`; `extra` environment variables on top.
pub fn ecrlint(dir: &Path, endpoint: &str, args: &[&str], extra: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ecrlint"));
    isolate(&mut command);
    command
        .args(args)
        .current_dir(dir)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", endpoint)
        .stdin(Stdio::null());
    for (key, value) in extra {
        command.env(key, value);
    }
    command.output().expect("ecrlint runs")
}

/// No AWS settings from the machine: no profile, no config files, no instance metadata.
pub fn isolate(command: &mut Command) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            command.env_remove(key);
        }
    }
    command
        .env("AWS_CONFIG_FILE", "/nonexistent/ecrlint-test/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/ecrlint-test/credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1");
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn code(output: &Output) -> i32 {
    output.status.code().expect("exited")
}

/// A port free on 127.0.0.1 just now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The virtualenv with moto and the AWS CLI (`cargo xtask setup` makes it).
pub fn venv() -> PathBuf {
    if let Some(dir) = std::env::var_os("ECRLINT_MOTO_VENV") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    cache.join("ecrlint").join("moto-venv")
}

/// moto's server on 127.0.0.1 on a free port, stopped when dropped.
pub struct Moto {
    child: Child,
    pub url: String,
}

impl Moto {
    pub fn start() -> Moto {
        let server = venv().join("bin").join("moto_server");
        assert!(
            server.exists(),
            "moto is not installed ({} is missing): run `cargo xtask setup`, which makes the \
             virtualenv the audit tests use",
            server.display()
        );
        let port = free_port();
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "moto_server did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// Runs a Python script with boto3 against this server (credentials of account
    /// 123456789012, region us-east-1).
    pub fn python(&self, script: &str) {
        let mut command = Command::new(venv().join("bin").join("python"));
        isolate(&mut command);
        let output = command
            .args(["-c", script])
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", &self.url)
            .output()
            .expect("python runs");
        assert!(
            output.status.success(),
            "the seed script failed: {}",
            stderr(&output)
        );
    }

    /// `ecrlint ARGS` against this server.
    pub fn ecrlint(&self, dir: &Path, args: &[&str]) -> Output {
        ecrlint(dir, &self.url, args, &[])
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
