//! The `flasklint` binary: everything is in the library.

fn main() -> std::process::ExitCode {
    flasklint::main(std::env::args_os()).into()
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
