//! aarch64, which cannot run here: the offset of `x0` in the saved
//! context that the SIGSYS handler writes in errno mode, against the C
//! library's `ucontext_t`, checked at compile time
//! (`cargo check --tests --target aarch64-unknown-linux-musl`).
#![cfg(all(target_os = "linux", target_arch = "aarch64"))]

use std::mem::offset_of;

use seccomp_bpf::sys::signal::UCONTEXT_RETURN_OFFSET;

const X0: usize = offset_of!(libc::ucontext_t, uc_mcontext) + offset_of!(libc::mcontext_t, regs);
const _: () = assert!(matches!(UCONTEXT_RETURN_OFFSET, Some(X0)));

#[test]
fn x0_offset() {
    assert_eq!(UCONTEXT_RETURN_OFFSET, Some(X0));
}
