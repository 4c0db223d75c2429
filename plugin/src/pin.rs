//! Keeps the plugin's library loaded once an instance has been made.
//!
//! The Rust standard library in the plugin registers a thread-exit destructor (for
//! `std::thread::current`, which nice-plug's wrapper calls on the host's thread when it creates
//! an instance). If a host unloaded the library and that thread exited later, the thread would
//! jump into unmapped code and crash the host. Marking the library `RTLD_NODELETE` keeps it
//! mapped until the process ends; a host that unloads it merely keeps a few megabytes.

use std::sync::Once;

pub fn pin_library() {
    static PINNED: Once = Once::new();
    PINNED.call_once(|| {
        #[cfg(unix)]
        // SAFETY: `dladdr` reads the loader's tables for an address inside this library; the
        // returned name stays valid while the library is loaded, which it is during the call,
        // and `dlopen` with `RTLD_NOLOAD` only changes the flags of the already loaded library.
        unsafe {
            let mut info: libc::Dl_info = std::mem::zeroed();
            let here = pin_library as *const libc::c_void;
            if libc::dladdr(here, &mut info) != 0 && !info.dli_fname.is_null() {
                libc::dlopen(info.dli_fname, libc::RTLD_NOW | libc::RTLD_NODELETE | libc::RTLD_NOLOAD);
            }
        }
    });
}
