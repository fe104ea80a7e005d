//! Self-test of the raw-syscall layer, as a `#![no_std]`, `#![no_main]`
//! static binary with the crate's own `_start` (run natively and under
//! qemu-user by scripts/qemu-user-selftest.sh).
//!
//! It checks getpid/gettid/getppid, write, no_new_privs through prctl, and
//! that `install` reports exactly what the kernel answers: with the
//! argument `qemu`, qemu-user's answers (seccomp(2) ENOSYS, then
//! PR_SET_SECCOMP EINVAL); without it, a real kernel's success.
//! Prints one line per check and exits 0 when all pass.

#![no_std]
#![no_main]

use core::fmt::Write;
use seccomp_bpf::bpf::{self, SockFilter};
use seccomp_bpf::install::{self, FilterFlags, InstallError};
use seccomp_bpf::sys::{self, Args, Errno};

seccomp_bpf::entry!(main);

/// A line buffer for `core::fmt`, written out with `sys::write`.
struct Line {
    buf: [u8; 160],
    len: usize,
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for &b in s.as_bytes() {
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
        Ok(())
    }
}

fn report(failures: &mut u32, ok: bool, what: core::fmt::Arguments<'_>) {
    let mut line = Line {
        buf: [0; 160],
        len: 0,
    };
    let _ = writeln!(line, "{} {}", if ok { "ok  " } else { "FAIL" }, what);
    let _ = sys::write(1, line.buf.get(..line.len).unwrap_or(&[]));
    if !ok {
        *failures += 1;
    }
}

const ALLOW_ALL: [SockFilter; 1] = [bpf::ret_k(0x7fff_0000)];

fn main(args: Args) -> i32 {
    let qemu = args.get(1) == Some(b"qemu");
    let mut failures = 0;
    let f = &mut failures;

    report(
        f,
        !args.is_empty() && args.iter().count() == args.len(),
        format_args!("argc {}", args.len()),
    );
    report(
        f,
        args.env().count() < 100_000,
        format_args!("environment readable"),
    );

    let pid = sys::getpid();
    report(f, pid > 0, format_args!("getpid = {pid}"));
    let tid = sys::gettid();
    report(f, tid == pid, format_args!("gettid = {tid} (main thread)"));
    report(
        f,
        sys::getppid() >= 0,
        format_args!("getppid = {}", sys::getppid()),
    );

    let msg = b"write: hello\n";
    let w = sys::write(1, msg);
    report(f, w == Ok(msg.len()), format_args!("write returned {w:?}"));
    let bad = sys::write(-1, msg);
    report(
        f,
        bad == Err(Errno::EBADF),
        format_args!("write(-1) = {bad:?}"),
    );

    let nnp = install::set_no_new_privs().and_then(|()| install::no_new_privs());
    report(
        f,
        nnp == Ok(true),
        format_args!("no_new_privs after setting: {nnp:?}"),
    );

    let res = install::install(&ALLOW_ALL, FilterFlags::empty());
    if qemu {
        let want = InstallError::Unsupported {
            seccomp: Errno::ENOSYS,
            prctl: Some(Errno::EINVAL),
        };
        report(
            f,
            res == Err(want),
            format_args!("install under qemu-user: {res:?}"),
        );
        let flagged = install::install(&ALLOW_ALL, FilterFlags::TSYNC);
        let want = InstallError::Unsupported {
            seccomp: Errno::ENOSYS,
            prctl: None,
        };
        report(
            f,
            flagged == Err(want),
            format_args!("install with TSYNC: {flagged:?}"),
        );
    } else {
        report(f, res.is_ok(), format_args!("install: {res:?}"));
    }
    report(
        f,
        true,
        format_args!("ENOSYS displays as \"{}\"", Errno::ENOSYS),
    );

    if failures == 0 { 0 } else { 1 }
}

// With the crate's `std` feature (cargo clippy --all-features), std brings
// its own panic handler.
#[cfg(not(feature = "std"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    let _ = sys::write(2, b"panic\n");
    sys::exit_group(101)
}
