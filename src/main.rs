//! The `flasklint` binary: everything is in the library.

fn main() -> std::process::ExitCode {
    no_huge_pages();
    flasklint::main(std::env::args_os()).into()
}

/// mimalloc asks the kernel for transparent huge pages, and each first
/// touch of one zeroes 2 MiB: on the benchmark corpus that doubled the
/// peak memory (33 MB to 60 MB) for no gain in speed. Linux only; where
/// the call is refused nothing changes.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no
    // memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
