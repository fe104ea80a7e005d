//! A `#![no_std]`, `#![no_main]` PID 1 that installs a seccomp filter
//! compiled in a `const` item, checks what the kernel then does with a
//! handful of calls, prints one line per check on the console and powers
//! the machine off. `tests/vm.rs` boots it on real kernels under qemu.
//!
//! ```text
//! cargo build --release --example init --target x86_64-unknown-linux-musl
//! cargo build --release --example init --target aarch64-unknown-linux-musl
//! ```
//!
//! The result is a static binary without libc (the linker settings are in
//! `.cargo/config.toml`). Its console output:
//!
//! ```text
//! probe allow: ok
//! probe errno: ok
//! ...
//! seccomp-bpf init: PASS 9/9 probes
//! ```
//!
//! On any other target this example is an ordinary program that says so.

#![cfg_attr(target_env = "musl", no_std, no_main)]

#[cfg(not(target_env = "musl"))]
fn main() {
    eprintln!(
        "examples/init is a PID 1 for static musl targets: \
         cargo build --release --example init --target x86_64-unknown-linux-musl"
    );
}

#[cfg(target_env = "musl")]
mod init {
    use core::fmt::{self, Write};
    use core::sync::atomic::{AtomicI32, AtomicU32, Ordering::Relaxed};

    use seccomp_bpf::install::{self, FilterFlags};
    use seccomp_bpf::policy::{Cond, Policy, Rule};
    use seccomp_bpf::sys::process::{self, Fork, SigInfo, WaitStatus};
    use seccomp_bpf::sys::{self, Args, Errno};
    use seccomp_bpf::{Abi, Action, Filter, Syscall};

    seccomp_bpf::entry!(main);

    const ABI: Abi = match Abi::NATIVE {
        Some(abi) => abi,
        None => panic!("no seccomp ABI for this target"),
    };

    const SIGUSR1: u64 = 10;
    const SIGUSR2: u64 = 12;
    const PR_GET_SECCOMP: u64 = 21;
    /// The data of the TRAP action, seen by the handler as `si_errno`.
    const TRAP_DATA: u16 = 0x5ec;

    // What the init may do once the filter is in: write its lines, handle
    // SIGSYS, fork, wait, stack a second filter, power off. Each probe's
    // call has a rule of its own; anything else fails with ENOSYS.
    const KILL_SIG_0: [Cond; 1] = [Cond::eq(1, 0).low32()];
    const KILL_SIG_NOT_0: [Cond; 1] = [Cond::ne(1, 0).low32()];
    const KILL_SIGUSR2: [Cond; 1] = [Cond::eq(1, SIGUSR2).low32()];
    const PRCTL_GET_SECCOMP: [Cond; 1] = [Cond::eq(0, PR_GET_SECCOMP).low32()];
    const RULES: [Rule; 16] = [
        Rule::new(Syscall::write, Action::Allow),
        Rule::new(Syscall::exit_group, Action::Allow),
        Rule::new(Syscall::reboot, Action::Allow),
        Rule::new(Syscall::rt_sigaction, Action::Allow),
        Rule::new(Syscall::rt_sigreturn, Action::Allow),
        Rule::new(Syscall::clone, Action::Allow),
        Rule::new(Syscall::wait4, Action::Allow),
        Rule::new(Syscall::seccomp, Action::Allow),
        // probe allow
        Rule::new(Syscall::getpid, Action::Allow),
        // probe errno
        Rule::new(Syscall::getppid, Action::Errno(Errno::EACCES.raw() as u16)),
        // probes arg-match, arg-other, arg-low32 and kill-child
        Rule::when(Syscall::kill, &KILL_SIG_0, Action::Allow),
        Rule::when(
            Syscall::kill,
            &KILL_SIG_NOT_0,
            Action::Errno(Errno::EPERM.raw() as u16),
        ),
        Rule::when(Syscall::kill, &KILL_SIGUSR2, Action::KillProcess),
        // probe trap
        Rule::when(Syscall::prctl, &PRCTL_GET_SECCOMP, Action::Trap(TRAP_DATA)),
        // probe default-enosys: gettid has no rule.
        Rule::new(Syscall::exit, Action::Allow),
        Rule::new(Syscall::rt_sigprocmask, Action::Allow),
    ];
    const POLICY: Policy = Policy::new(Action::Errno(Errno::ENOSYS.raw() as u16), &[ABI], &RULES);
    const COMPILED: Filter<256> = Filter::new_or_panic(&POLICY);
    /// The filter, compiled at build time and trimmed to its length.
    static FILTER: Filter<{ COMPILED.len() }> = COMPILED.resize_or_panic();

    // The second filter of probe `stacked`: ERRNO(EPERM) for getpid and
    // getppid, everything else allowed.
    const STACKED_RULES: [Rule; 2] = [
        Rule::new(Syscall::getpid, Action::Errno(Errno::EPERM.raw() as u16)),
        Rule::new(Syscall::getppid, Action::Errno(Errno::EPERM.raw() as u16)),
    ];
    const STACKED_POLICY: Policy = Policy::new(Action::Allow, &[ABI], &STACKED_RULES);
    const STACKED_COMPILED: Filter<64> = Filter::new_or_panic(&STACKED_POLICY);
    static STACKED: Filter<{ STACKED_COMPILED.len() }> = STACKED_COMPILED.resize_or_panic();

    /// A line of console output, cut at its capacity.
    struct Line {
        buf: [u8; 200],
        len: usize,
    }

    impl Line {
        const fn new() -> Line {
            Line {
                buf: [0; 200],
                len: 0,
            }
        }

        fn as_bytes(&self) -> &[u8] {
            self.buf.get(..self.len).unwrap_or(&[])
        }

        /// Writes the line and a newline to the console (fd 1).
        fn print(&mut self) {
            let _ = self.write_str("\n");
            let mut rest = self.as_bytes();
            while !rest.is_empty() {
                match sys::write(1, rest) {
                    Ok(n) if n > 0 => rest = rest.get(n..).unwrap_or(&[]),
                    _ => break,
                }
            }
            self.len = 0;
        }
    }

    impl Write for Line {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            for &b in s.as_bytes() {
                if let Some(slot) = self.buf.get_mut(self.len) {
                    *slot = b;
                    self.len += 1;
                }
            }
            Ok(())
        }
    }

    macro_rules! say {
        ($($t:tt)*) => {{
            let mut line = Line::new();
            let _ = write!(line, $($t)*);
            line.print();
        }};
    }

    /// A probe: writes what went wrong into the detail and returns false,
    /// or returns true.
    type Probe = fn(&mut Line) -> bool;

    const PROBES: [(&str, Probe); 9] = [
        ("allow", allow),
        ("errno", errno),
        ("arg-match", arg_match),
        ("arg-other", arg_other),
        ("arg-low32", arg_low32),
        ("default-enosys", default_enosys),
        ("trap", trap),
        ("kill-child", kill_child),
        ("stacked", stacked),
    ];

    fn main(_: Args) -> i32 {
        say!(
            "seccomp-bpf init: pid {}, {} ABI, filter of {} instructions",
            sys::getpid(),
            ABI,
            FILTER.len()
        );
        // SAFETY: `on_sigsys` only stores into atomics.
        if let Err(e) = unsafe { process::sigaction(process::SIGSYS, on_sigsys) } {
            fail(format_args!("rt_sigaction(SIGSYS): {e}"));
        }
        if let Err(e) = install::set_no_new_privs() {
            fail(format_args!("no_new_privs: {e}"));
        }
        if let Err(e) = install::install(&FILTER, FilterFlags::empty()) {
            fail(format_args!("install: {e}"));
        }
        let mut passed = 0;
        for (name, probe) in PROBES {
            let mut detail = Line::new();
            if probe(&mut detail) {
                passed += 1;
                say!("probe {name}: ok");
            } else {
                say!("probe {name}: FAIL ({})", Bytes(detail.as_bytes()));
            }
        }
        let verdict = if passed == PROBES.len() {
            "PASS"
        } else {
            "FAIL"
        };
        say!(
            "seccomp-bpf init: {verdict} {passed}/{} probes",
            PROBES.len()
        );
        power_off()
    }

    fn fail(why: fmt::Arguments<'_>) -> ! {
        say!("seccomp-bpf init: FAIL ({why})");
        power_off()
    }

    fn power_off() -> ! {
        let e = process::reboot(process::REBOOT_POWER_OFF);
        say!("seccomp-bpf init: power off failed: {e:?}");
        // PID 1 exiting panics the kernel, which ends the VM as well.
        sys::exit_group(1)
    }

    /// Prints bytes known to be ASCII.
    struct Bytes<'a>(&'a [u8]);

    impl fmt::Display for Bytes<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(core::str::from_utf8(self.0).unwrap_or("?"))
        }
    }

    /// The result of a call as `Result`, for the wrappers that return the
    /// raw value (the kernel's `-errno` on failure).
    fn raw(ret: i32) -> Result<i32, Errno> {
        if (-4095..0).contains(&ret) {
            Err(Errno::from_raw(-ret))
        } else {
            Ok(ret)
        }
    }

    fn expect<T: PartialEq + fmt::Debug>(d: &mut Line, what: &str, got: T, want: T) -> bool {
        if got == want {
            return true;
        }
        let _ = write!(d, "{what}: got {got:?}, want {want:?}");
        false
    }

    fn allow(d: &mut Line) -> bool {
        expect(d, "getpid", raw(sys::getpid()), Ok(1))
    }

    fn errno(d: &mut Line) -> bool {
        expect(d, "getppid", raw(sys::getppid()), Err(Errno::EACCES))
    }

    fn arg_match(d: &mut Line) -> bool {
        expect(d, "kill(1, 0)", sys::kill(1, 0), Ok(()))
    }

    fn arg_other(d: &mut Line) -> bool {
        // Unfiltered, PID 1 may signal itself (and ignores SIGUSR1).
        expect(
            d,
            "kill(1, SIGUSR1)",
            sys::kill(1, SIGUSR1 as i32),
            Err(Errno::EPERM),
        )
    }

    /// `kill`'s signal is an `int`: the kernel ignores the upper half of the
    /// register, so the low-32 condition must too. Upper half set, low half
    /// 0: the filter allows it and the kernel runs kill(1, 0).
    fn arg_low32(d: &mut Line) -> bool {
        let sig = 0xdead_beef_0000_0000_u64 as usize;
        // SAFETY: kill takes two integers and touches no memory of ours.
        let ret = unsafe { sys::syscall2(sys::nr::KILL, 1, sig) };
        expect(d, "kill(1, 0xdeadbeef00000000)", sys::decode(ret), Ok(0))
    }

    fn default_enosys(d: &mut Line) -> bool {
        expect(d, "gettid", raw(sys::gettid()), Err(Errno::ENOSYS))
    }

    static SIGSYS_COUNT: AtomicU32 = AtomicU32::new(0);
    static SIGSYS_SIGNO: AtomicI32 = AtomicI32::new(0);
    static SIGSYS_CODE: AtomicI32 = AtomicI32::new(0);
    static SIGSYS_DATA: AtomicI32 = AtomicI32::new(0);
    static SIGSYS_NR: AtomicI32 = AtomicI32::new(0);
    static SIGSYS_ARCH: AtomicU32 = AtomicU32::new(0);

    extern "C" fn on_sigsys(_: i32, info: &SigInfo, _: *mut core::ffi::c_void) {
        SIGSYS_SIGNO.store(info.signo(), Relaxed);
        SIGSYS_CODE.store(info.code(), Relaxed);
        SIGSYS_DATA.store(info.errno(), Relaxed);
        SIGSYS_NR.store(info.syscall(), Relaxed);
        SIGSYS_ARCH.store(info.arch(), Relaxed);
        SIGSYS_COUNT.fetch_add(1, Relaxed);
    }

    fn trap(d: &mut Line) -> bool {
        // The TRAP skips the call; what it then returns is not defined.
        let _ = sys::prctl_get_seccomp();
        expect(d, "SIGSYS count", SIGSYS_COUNT.load(Relaxed), 1)
            && expect(d, "si_signo", SIGSYS_SIGNO.load(Relaxed), process::SIGSYS)
            && expect(
                d,
                "si_code",
                SIGSYS_CODE.load(Relaxed),
                process::SYS_SECCOMP,
            )
            && expect(
                d,
                "si_errno",
                SIGSYS_DATA.load(Relaxed),
                i32::from(TRAP_DATA),
            )
            && expect(
                d,
                "si_syscall",
                SIGSYS_NR.load(Relaxed),
                sys::nr::PRCTL as i32,
            )
            && expect(d, "si_arch", SIGSYS_ARCH.load(Relaxed), ABI.audit_arch())
    }

    /// Runs `child` in a forked process and returns how that ended.
    fn in_child(d: &mut Line, child: fn() -> i32) -> Option<WaitStatus> {
        // SAFETY: the init has one thread.
        match unsafe { process::fork() } {
            Ok(Fork::Child) => sys::exit_group(child()),
            Ok(Fork::Parent(pid)) => match process::wait4(pid, 0) {
                Ok((_, status)) => Some(status),
                Err(e) => {
                    let _ = write!(d, "wait4: {e}");
                    None
                }
            },
            Err(e) => {
                let _ = write!(d, "fork: {e}");
                None
            }
        }
    }

    fn kill_child(d: &mut Line) -> bool {
        let Some(status) = in_child(d, || {
            let _ = sys::kill(1, SIGUSR2 as i32);
            0
        }) else {
            return false;
        };
        let want = WaitStatus::Signaled {
            signal: process::SIGSYS,
            core_dumped: false,
        };
        match status {
            WaitStatus::Signaled { signal, .. } if signal == process::SIGSYS => true,
            _ => expect(d, "child", status, want),
        }
    }

    /// A second filter on top of the first, in a child: its ERRNO beats the
    /// first one's ALLOW, the first one's ERRNO beats its ALLOW, and of two
    /// ERRNOs the newer filter's wins.
    fn stacked(d: &mut Line) -> bool {
        let Some(status) = in_child(d, || {
            if install::install(&STACKED, FilterFlags::empty()).is_err() {
                return 10;
            }
            if raw(sys::getpid()) != Err(Errno::EPERM) {
                return 11;
            }
            if raw(sys::getppid()) != Err(Errno::EPERM) {
                return 12;
            }
            if raw(sys::gettid()) != Err(Errno::ENOSYS) {
                return 13;
            }
            0
        }) else {
            return false;
        };
        let why = match status {
            WaitStatus::Exited(0) => return true,
            WaitStatus::Exited(10) => "install of the second filter failed",
            WaitStatus::Exited(11) => "getpid: the newer ERRNO did not win over ALLOW",
            WaitStatus::Exited(12) => "getppid: the newer filter's ERRNO data did not win",
            WaitStatus::Exited(13) => "gettid: the older ERRNO did not win over ALLOW",
            _ => "child ended otherwise",
        };
        let _ = write!(d, "{why}: {status:?}");
        false
    }

    #[panic_handler]
    fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
        say!("seccomp-bpf init: FAIL (panic: {})", info.message());
        power_off()
    }
}
