//! A server on a loopback port, over a packs directory of its own, stopped (and drained) on
//! [`Server::stop`]; and a small HTTP client that never treats a status as an error.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crm_rules_host::{EngineOptions, Limits, RuleEngine};
use crm_rules_serve::{ServerConfig, serve};
use tokio::sync::oneshot;

/// A packs directory removed when dropped.
pub struct PacksDir(pub PathBuf);

impl PacksDir {
    /// An empty directory of its own.
    pub fn new() -> PacksDir {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "crm-rules-serve-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        PacksDir(dir)
    }

    /// Copies the pack folder `from` (relative to the repository) in as `name`.
    pub fn copy(&self, from: &str, name: &str) -> &PacksDir {
        copy_dir(&crm_rules_tests::root().join(from), &self.0.join(name));
        self
    }

    /// Writes `text` to `relative`, atomically (a reload never reads half a file).
    pub fn write(&self, relative: &str, text: &str) -> &PacksDir {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
        let partial = path.with_extension("partial");
        std::fs::write(&partial, text).expect("written");
        std::fs::rename(&partial, &path).expect("renamed");
        self
    }

    /// A Rhai pack `name` whose one scheduled module loops until its deadline (`deadline_ms`).
    pub fn slow_pack(&self, name: &str, deadline_ms: u64) -> &PacksDir {
        self.write(
            &format!("{name}/pack.toml"),
            &format!(
                "[pack]\nname = \"{name}\"\nversion = \"0.1.0\"\ncontract = \"0.2\"\n\n\
                 [[modules]]\nid = \"slow\"\nsource = \"slow.rhai\"\ntriggers = [\"scheduled\"]\n\n\
                 [limits]\nrhai_max_operations = 1_000_000_000_000\ndeadline_ms = {deadline_ms}\n"
            ),
        )
        .write(
            &format!("{name}/slow.rhai"),
            "fn evaluate(ctx) {\n    let i = 0;\n    while i < 10_000_000_000 { i += 1; }\n    \
             #{ actions: [], suppressed: [] }\n}\n",
        )
    }
}

impl Drop for PacksDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a folder");
    for entry in std::fs::read_dir(from).expect("a pack folder") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copied");
        }
    }
}

/// The host's ceilings raised so slow and hostile packs (which ask for more operations and time
/// than the defaults, to be stopped by what they test) load.
pub fn raised_ceilings() -> Limits {
    Limits {
        rhai_max_operations: 1_000_000_000_000,
        deadline: Duration::from_secs(10),
        ..Limits::default()
    }
}

/// A running server.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

/// Starts a server over `dir` with the engine's `limits`; `configure` adjusts the defaults (2
/// workers, a queue of 16).
pub fn start(dir: &PacksDir, limits: Limits, configure: impl FnOnce(&mut ServerConfig)) -> Server {
    let engine = RuleEngine::with_options(EngineOptions::new(limits).instance_pool(Some(16)))
        .expect("an engine");
    let mut config = ServerConfig::new(dir.0.clone());
    config.workers = 2;
    config.queue = 16;
    configure(&mut config);
    let (stop, stopped) = oneshot::channel::<()>();
    let (addr_sender, addr_receiver) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let _ = addr_sender.send(listener.local_addr()?);
            serve(engine, config, listener, async move {
                let _ = stopped.await;
            })
            .await
        })
    });
    let addr = addr_receiver
        .recv_timeout(Duration::from_secs(30))
        .expect("the server binds");
    let server = Server {
        addr,
        stop: Some(stop),
        thread: Some(thread),
    };
    let started = Instant::now();
    while get(&server, "/healthz").0 != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server never answered"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    server
}

impl Server {
    /// The URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Asks the server to stop and waits until it has drained and returned.
    pub fn stop(mut self) -> std::io::Result<()> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take() {
            Some(thread) => thread.join().expect("the server thread does not panic"),
            None => Ok(()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// A client that returns every status rather than failing on 4xx and 5xx.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// A response: status, headers we look at, body.
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub retry_after: Option<String>,
    pub body: String,
}

impl Reply {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.body))
    }
}

fn reply(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut response = response.expect("the server answers");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header("content-type").unwrap_or_default();
    let retry_after = header("retry-after");
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .expect("a text body");
    Reply {
        status,
        content_type,
        retry_after,
        body,
    }
}

/// Something to send requests to: a server, or just its address (for a client thread that must
/// not hold the server while it is stopped).
pub trait Target {
    /// The URL of `path`.
    fn url(&self, path: &str) -> String;
}

impl Target for Server {
    fn url(&self, path: &str) -> String {
        Server::url(self, path)
    }
}

impl Target for std::sync::Arc<Server> {
    fn url(&self, path: &str) -> String {
        Server::url(self, path)
    }
}

impl Target for SocketAddr {
    fn url(&self, path: &str) -> String {
        format!("http://{self}{path}")
    }
}

/// `GET path`: status and body.
pub fn get(server: &impl Target, path: &str) -> (u16, String) {
    let reply = reply(agent().get(&server.url(path)).call());
    (reply.status, reply.body)
}

/// `GET path` with a bearer token.
pub fn get_with(server: &impl Target, path: &str, token: &str) -> Reply {
    reply(
        agent()
            .get(&server.url(path))
            .header("authorization", &format!("Bearer {token}"))
            .call(),
    )
}

/// `POST path` with `body` sent as `content_type`, and optional headers.
pub fn post(
    server: &impl Target,
    path: &str,
    content_type: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut request = agent()
        .post(&server.url(path))
        .header("content-type", content_type);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    reply(request.send(body))
}

/// The first-pack's example context.
pub fn try_context() -> String {
    std::fs::read_to_string(crm_rules_tests::root().join("examples/packs/first-pack/try.json"))
        .expect("try.json")
}

/// The value of the metric line starting with `prefix` (`crm_rules_in_flight`), 0 if absent.
pub fn metric(server: &impl Target, prefix: &str) -> u64 {
    get(server, "/metrics")
        .1
        .lines()
        .find(|line| line.starts_with(prefix))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

/// Waits until `condition` holds, for at most 30 s.
pub fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out waiting: {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
