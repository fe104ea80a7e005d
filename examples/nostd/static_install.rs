//! A static `#![no_std]` binary that sets no_new_privs and installs a small
//! const filter, for measuring what the crate adds to such a binary
//! (scripts/static-size.sh builds it with and without the install call).

#![no_std]
#![no_main]

use seccomp_bpf::bpf::{self, SockFilter};
use seccomp_bpf::sys::{self, Args};
use seccomp_bpf::{Abi, Action, data, install};

seccomp_bpf::entry!(main);

/// x86_64 only: getppid fails with EPERM, everything else is allowed.
const FILTER: [SockFilter; 7] = [
    bpf::ld_abs(data::ARCH),
    bpf::jeq_k(Abi::X86_64.audit_arch(), 1, 0),
    bpf::ret_k(Action::KillProcess.to_ret()),
    bpf::ld_abs(data::NR),
    bpf::jeq_k(sys::nr::GETPPID as u32, 0, 1),
    bpf::ret_k(Action::Errno(1).to_ret()),
    bpf::ret_k(Action::Allow.to_ret()),
];

fn main(_: Args) -> i32 {
    #[cfg(not(seccomp_bpf_no_install))]
    {
        if install::set_no_new_privs().is_err() {
            return 2;
        }
        if install::install(&FILTER, install::FilterFlags::empty()).is_err() {
            return 3;
        }
    }
    #[cfg(seccomp_bpf_no_install)]
    let _ = (&FILTER, install::no_new_privs);
    let _ = sys::write(1, b"installed\n");
    0
}

// With the crate's `std` feature (cargo clippy --all-features), std brings
// its own panic handler.
#[cfg(not(feature = "std"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    sys::exit_group(101)
}
