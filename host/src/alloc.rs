//! A global allocator that counts the bytes each thread holds, so the Rhai backend can stop a
//! script that hoards memory.
//!
//! WebAssembly memory is always capped (by the store's limiter). Rhai values live on the host heap,
//! which only the global allocator sees, and Rhai's own size limits do not see every way a script
//! can grow it (an indexed assignment into a map, for one). A host that installs
//! [`CountingAllocator`] gets the same cap for scripts: while a script runs, the bytes its thread
//! allocated (net of frees) are compared with [`crate::Limits::max_memory_bytes`] on every
//! operation, and the script is stopped with a `memory` error. That is the engine's default,
//! [`crate::RhaiMemory::Counted`]; building an engine with it but without this allocator fails,
//! and a host that cannot change its allocator chooses [`crate::RhaiMemory::SizeLimits`]
//! explicitly. The `crm-rules` binary installs it:
//!
//! ```
//! #[global_allocator]
//! static ALLOCATOR: crm_rules_host::alloc::CountingAllocator = crm_rules_host::alloc::CountingAllocator;
//! # fn main() {}
//! ```
//!
//! The cost is one thread-local addition per allocation and per free.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

thread_local! {
    /// Bytes allocated minus bytes freed on this thread (negative when it frees what others made).
    static NET_BYTES: Cell<i64> = const { Cell::new(0) };
}

static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Records that this allocator is the global one. Every allocation calls it, on every thread, so it
/// only reads the flag once set: a store, even of the same value, would take the flag's cache line
/// away from every other core on each allocation, and threads allocating at once would slow each
/// other down.
fn mark_installed() {
    if !INSTALLED.load(Ordering::Relaxed) {
        INSTALLED.store(true, Ordering::Relaxed);
    }
}

fn add(delta: i64) {
    // `try_with`: a const-initialised `Cell` has no destructor, but stay safe during thread exit.
    let _ = NET_BYTES.try_with(|net| net.set(net.get().wrapping_add(delta)));
}

fn size(layout: Layout) -> i64 {
    i64::try_from(layout.size()).unwrap_or(i64::MAX)
}

/// The system allocator, counting each thread's net allocated bytes. See the module docs.
#[derive(Debug, Default, Clone, Copy)]
pub struct CountingAllocator;

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so `System`'s
// guarantees hold; the bookkeeping touches only a thread-local `Cell` and an atomic flag, neither of
// which allocates.
#[allow(
    unsafe_code,
    reason = "a GlobalAlloc implementation is unsafe by definition"
)]
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        mark_installed();
        add(size(layout));
        // SAFETY: forwarded unchanged; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-size(layout));
        // SAFETY: forwarded unchanged; `ptr` came from this allocator, i.e. from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        mark_installed();
        add(size(layout));
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(i64::try_from(new_size).unwrap_or(i64::MAX) - size(layout));
        // SAFETY: forwarded unchanged; `ptr` and `layout` describe a block from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Whether [`CountingAllocator`] is the program's global allocator.
pub fn is_installed() -> bool {
    // Any allocation through it sets the flag; make one, in case none happened yet.
    drop(std::hint::black_box(Box::new(0_u8)));
    INSTALLED.load(Ordering::Relaxed)
}

/// Net bytes this thread has allocated so far as [`CountingAllocator`] counted them: 0 when it is
/// not the global allocator. For hot checks against a figure from [`thread_net_bytes`].
pub(crate) fn net_bytes() -> i64 {
    NET_BYTES.try_with(Cell::get).unwrap_or(0)
}

/// Net bytes this thread has allocated so far, if [`CountingAllocator`] is the global allocator.
pub(crate) fn thread_net_bytes() -> Option<i64> {
    if INSTALLED.load(Ordering::Relaxed) {
        NET_BYTES.try_with(Cell::get).ok()
    } else {
        None
    }
}
