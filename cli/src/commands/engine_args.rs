//! How the command line builds its engine: the compile cache (`--cache-dir`, `--no-cache`, or the
//! environment), the instance pool (`--instance-pool`) and trust in a bundle's precompiled code
//! (`--trust-precompiled`); and the warnings when components must be compiled because no cache can
//! be used, which would otherwise cost every process of a cluster job the compile, silently, or
//! when a bundle's precompiled code goes unused.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;
use crm_rules_host::{EngineOptions, Limits, RulePack};

use super::Console;

/// The engine's options that are not ceilings.
#[derive(Debug, Args)]
#[command(next_help_heading = "Engine")]
pub struct EngineArgs {
    /// Compile components every time instead of using the compile cache.
    #[arg(long, global = true, conflicts_with = "cache_dir")]
    no_cache: bool,
    /// Keep compiled components in DIR (a directory only this user can write). By default
    /// `$CRM_RULES_CACHE_DIR`, else `$XDG_CACHE_HOME/crm-rules`, else `~/.cache/crm-rules`; in an
    /// environment without those (Spark's `RDD.pipe` starts commands with an empty one) give it,
    /// or every process compiles every component again.
    #[arg(long, global = true, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Component instances kept ready in a pool: each slot reserves 4 GiB of address space (not
    /// memory), about 1 TiB for the default 256, which some cluster managers (YARN's virtual-memory
    /// check) count against a container. `0` maps each instance on demand instead: no reservation,
    /// at some cost per evaluation (docs/scale.md). Keep at least as many slots as threads.
    #[arg(long, global = true, value_name = "SLOTS",
          default_value_t = EngineOptions::DEFAULT_INSTANCE_POOL)]
    instance_pool: u32,
    /// Load the native code a bundle carries (`crm-rules bundle --precompile`) instead of
    /// compiling its components. Only for bundles you trust as you trust this binary (built and
    /// shipped by your own pipeline): loading the code runs it in this process, and nothing can
    /// check who produced it.
    #[arg(long, global = true)]
    trust_precompiled: bool,
}

/// Why no compile cache is used this run, when none is; warned about once, if a pack has to compile
/// a component.
static CACHE_PROBLEM: OnceLock<Option<String>> = OnceLock::new();
static WARNED: AtomicBool = AtomicBool::new(false);
/// Whether `--trust-precompiled` was given, and whether unused precompiled code was warned about.
static TRUSTS_PRECOMPILED: AtomicBool = AtomicBool::new(false);
static WARNED_PRECOMPILED: AtomicBool = AtomicBool::new(false);

impl EngineArgs {
    /// The engine's options under `limits`; records why no cache is used, if none is.
    pub fn options(&self, limits: Limits) -> EngineOptions {
        let dir = if self.no_cache {
            None
        } else {
            self.cache_dir.clone().or_else(default_cache_dir)
        };
        let problem = match (&dir, self.no_cache) {
            (_, true) => None,
            (None, false) => Some(
                "no compile cache: none of CRM_RULES_CACHE_DIR, XDG_CACHE_HOME and HOME is set; \
                 give --cache-dir DIR"
                    .to_owned(),
            ),
            (Some(dir), false) => EngineOptions::compile_cache_problem(dir),
        };
        let _ = CACHE_PROBLEM.set(problem.clone());
        TRUSTS_PRECOMPILED.store(self.trust_precompiled, Ordering::Relaxed);
        let slots = (self.instance_pool > 0).then_some(self.instance_pool);
        let dir = if problem.is_some() { None } else { dir };
        EngineOptions::new(limits)
            .compile_cache(dir)
            .instance_pool(slots)
            .trust_precompiled(self.trust_precompiled)
    }
}

/// Where compiled components are kept between runs by default.
fn default_cache_dir() -> Option<PathBuf> {
    let from = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    from("CRM_RULES_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| from("XDG_CACHE_HOME").map(|dir| PathBuf::from(dir).join("crm-rules")))
        .or_else(|| from("HOME").map(|dir| PathBuf::from(dir).join(".cache/crm-rules")))
}

/// Warns on standard error, once per run each: when `pack` had to compile components because no
/// compile cache can be used, and when its bundle carries precompiled code that was not loaded.
pub fn warn_about_component_loads(pack: &RulePack, console: &mut Console) {
    let loads = pack.component_loads();
    if loads.precompiled_unused > 0 && !WARNED_PRECOMPILED.swap(true, Ordering::Relaxed) {
        let why = if TRUSTS_PRECOMPILED.load(Ordering::Relaxed) {
            "it was compiled for another engine configuration (another crm-rules build, or a CPU \
             with other features), or wasmtime refused it"
        } else {
            "give --trust-precompiled to load it, if you trust the bundle as you trust this binary"
        };
        let _ = console.warning(format!(
            "the bundle of `{}` carries precompiled code for {} component(s) that was not loaded: \
             {why}",
            pack.identity().name,
            loads.precompiled_unused
        ));
    }
    let Some(Some(problem)) = CACHE_PROBLEM.get() else {
        return;
    };
    let compiled = loads.compiled;
    if compiled > 0 && !WARNED.swap(true, Ordering::Relaxed) {
        let _ = console.warning(format!(
            "{problem}; {compiled} component(s) of `{}` were compiled for this run only, and will \
             be again by the next",
            pack.identity().name
        ));
    }
}
