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
//! seccomp-bpf init: PASS 10/10 probes
//! ```
//!
//! The probes, each with an outcome only the filter can cause:
//!
//! | probe | call | the filter's rule | expected |
//! |---|---|---|---|
//! | allow | getpid | ALLOW | 1 (PID 1) |
//! | errno | getppid | ERRNO(EACCES) | EACCES |
//! | arg-match | kill(1, 0) | ALLOW if sig == 0 | 0 |
//! | arg-other | kill(1, SIGUSR1) | ERRNO(EPERM) if sig != 0 | EPERM |
//! | arg-low32 | kill(1, 0xdeadbeef_00000000) | sig compared on its low 32 bits | 0 |
//! | default-enosys | gettid | none: the default ERRNO(ENOSYS) | ENOSYS |
//! | trap | prctl(PR_GET_SECCOMP) | TRAP(0x5ec) | SIGSYS with si_syscall, si_arch, si_errno |
//! | reporter | prctl(PR_GET_NO_NEW_PRIVS) under `trap::install_reporter_without_names(OnTrap::Fail(ENOTTY))` | TRAP(0x5ed) | ENOTTY, and the reporter's `seccomp: blocked syscall N ...` line on stderr |
//! | kill-child | kill(1, SIGUSR2) in a child | KILL_PROCESS | wait4: killed by SIGSYS |
//! | stacked | getpid, getppid, gettid in a child with a second filter | newest ERRNO wins | EPERM, EPERM, ENOSYS |
//!
//! Binary size: `scripts/init-size.sh` (about 14 KiB stripped on x86_64,
//! 15 KiB on aarch64). Probe `reporter` uses
//! `trap::install_reporter_without_names`: the reporter that names calls
//! would bring every ABI's syscall names and `core::fmt`, some 85 KiB. The init prints with its own few formatting
//! routines because `core::fmt` alone would add several KiB.
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
    use core::sync::atomic::{AtomicI32, AtomicU32, Ordering::Relaxed};

    use seccomp_bpf::install::{self, FilterFlags};
    use seccomp_bpf::policy::{Cond, Policy, Rule};
    use seccomp_bpf::sys::process::{self, Fork, SigInfo, WaitStatus};
    use seccomp_bpf::sys::{self, Args, Errno};
    use seccomp_bpf::trap::{self, OnTrap, TrapError};
    use seccomp_bpf::{Abi, Action, Filter, Syscall};

    seccomp_bpf::entry!(main);

    const ABI: Abi = match Abi::NATIVE {
        Some(abi) => abi,
        None => panic!("no seccomp ABI for this target"),
    };

    const SIGUSR1: u64 = 10;
    const SIGUSR2: u64 = 12;
    const PR_GET_SECCOMP: u64 = 21;
    const PR_GET_NO_NEW_PRIVS: u64 = 39;
    /// The data of the TRAP action, seen by the handler as `si_errno`.
    const TRAP_DATA: u16 = 0x5ec;
    /// The data of the TRAP the reporter meets. `OnTrap::Fail` ignores it:
    /// were it taken as the errno, the call would fail with 0x5ed instead.
    const REPORTER_DATA: u16 = 0x5ed;
    /// The errno the reporter makes the trapped call fail with: one that
    /// `prctl(PR_GET_NO_NEW_PRIVS)` never returns itself.
    const REPORTER_ERRNO: Errno = Errno::ENOTTY;

    // What the init may do once the filter is in: write its lines, handle
    // SIGSYS, fork, wait, stack a second filter, power off. Each probe's
    // call has a rule of its own; anything else fails with ENOSYS.
    const KILL_SIG_0: [Cond; 1] = [Cond::eq(1, 0).low32()];
    const KILL_SIG_NOT_0: [Cond; 1] = [Cond::ne(1, 0).low32()];
    const KILL_SIGUSR2: [Cond; 1] = [Cond::eq(1, SIGUSR2).low32()];
    const PRCTL_GET_SECCOMP: [Cond; 1] = [Cond::eq(0, PR_GET_SECCOMP).low32()];
    const PRCTL_GET_NO_NEW_PRIVS: [Cond; 1] = [Cond::eq(0, PR_GET_NO_NEW_PRIVS).low32()];
    const RULES: [Rule; 17] = [
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
        // probe reporter
        Rule::when(
            Syscall::prctl,
            &PRCTL_GET_NO_NEW_PRIVS,
            Action::Trap(REPORTER_DATA),
        ),
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

    /// A line of console output, cut at its capacity. It formats the few
    /// things the init prints itself: `core::fmt` would be most of the
    /// binary.
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

        #[inline(never)]
        fn bytes(&mut self, s: &[u8]) -> &mut Line {
            for &b in s {
                if let Some(slot) = self.buf.get_mut(self.len) {
                    *slot = b;
                    self.len += 1;
                }
            }
            self
        }

        #[inline(never)]
        fn str(&mut self, s: &str) -> &mut Line {
            self.bytes(s.as_bytes())
        }

        #[inline(never)]
        fn int(&mut self, n: i64) -> &mut Line {
            if n < 0 {
                self.str("-");
            }
            self.uint(n.unsigned_abs())
        }

        /// Decimal digits, most significant first (recursion keeps this
        /// small; at most 20 levels).
        #[inline(never)]
        fn uint(&mut self, n: u64) -> &mut Line {
            if n >= 10 {
                self.uint(n / 10);
            }
            self.bytes(&[b'0' + (n % 10) as u8])
        }

        #[inline(never)]
        fn hex(&mut self, n: u64) -> &mut Line {
            self.str("0x");
            let mut started = false;
            for shift in (0..16).rev() {
                let d = ((n >> (shift * 4)) & 0xf) as usize;
                if d != 0 || started || shift == 0 {
                    started = true;
                    self.bytes(b"0123456789abcdef".get(d..=d).unwrap_or(b"?"));
                }
            }
            self
        }

        #[inline(never)]
        fn errno(&mut self, e: Errno) -> &mut Line {
            match e.name() {
                Some(name) => self.str(name),
                None => self.str("errno ").int(i64::from(e.raw())),
            }
        }

        /// A call's result: its value, or the errno's name.
        #[inline(never)]
        fn result(&mut self, r: Result<i64, Errno>) -> &mut Line {
            match r {
                Ok(v) => self.int(v),
                Err(e) => self.errno(e),
            }
        }

        #[inline(never)]
        fn status(&mut self, s: WaitStatus) -> &mut Line {
            match s {
                WaitStatus::Exited(code) => self.str("exited ").int(i64::from(code)),
                WaitStatus::Signaled { signal, .. } => {
                    self.str("killed by signal ").int(i64::from(signal))
                }
                WaitStatus::Stopped(signal) => {
                    self.str("stopped by signal ").int(i64::from(signal))
                }
                WaitStatus::Continued => self.str("continued"),
            }
        }

        /// Writes the line and a newline to the console (fd 1).
        #[inline(never)]
        fn print(&mut self) {
            self.str("\n");
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

    /// A probe: returns true, or writes what went wrong into the detail
    /// and returns false.
    type Probe = fn(&mut Line) -> bool;

    const PROBES: [(&str, Probe); 10] = [
        ("allow", allow),
        ("errno", errno),
        ("arg-match", arg_match),
        ("arg-other", arg_other),
        ("arg-low32", arg_low32),
        ("default-enosys", default_enosys),
        ("trap", trap),
        ("reporter", reporter),
        ("kill-child", kill_child),
        ("stacked", stacked),
    ];

    fn main(_: Args) -> i32 {
        Line::new()
            .str("seccomp-bpf init: pid ")
            .int(i64::from(sys::getpid()))
            .str(", ")
            .str(ABI.name())
            .str(", filter of ")
            .int(FILTER.len() as i64)
            .str(" instructions")
            .print();
        // SAFETY: `on_sigsys` only stores into atomics.
        if let Err(e) = unsafe { process::sigaction(process::SIGSYS, on_sigsys) } {
            fail("rt_sigaction(SIGSYS)", Some(e));
        }
        // The kernel opens /dev/console as fds 0, 1 and 2 of PID 1; the
        // SIGSYS reporter writes to fd 2. An empty write checks that it is
        // open (EBADF if not) while nothing filters it yet.
        if let Err(e) = sys::write(2, &[]) {
            fail("write(2, \"\")", Some(e));
        }
        if let Err(e) = install::set_no_new_privs() {
            fail("no_new_privs", Some(e));
        }
        if let Err(e) = install::install(&FILTER, FilterFlags::empty()) {
            fail("install", install_errno(e));
        }
        let mut passed = 0;
        for (name, probe) in PROBES {
            let mut detail = Line::new();
            let mut line = Line::new();
            line.str("probe ").str(name);
            if probe(&mut detail) {
                passed += 1;
                line.str(": ok");
            } else {
                line.str(": FAIL (").bytes(detail.as_bytes()).str(")");
            }
            line.print();
        }
        Line::new()
            .str("seccomp-bpf init: ")
            .str(if passed == PROBES.len() {
                "PASS "
            } else {
                "FAIL "
            })
            .int(passed as i64)
            .str("/")
            .int(PROBES.len() as i64)
            .str(" probes")
            .print();
        power_off()
    }

    /// The errno behind an install error, where there is one.
    fn install_errno(e: install::InstallError) -> Option<Errno> {
        match e {
            install::InstallError::Kernel(e) => Some(e),
            install::InstallError::Unsupported { seccomp, .. } => Some(seccomp),
            install::InstallError::Access => Some(Errno::EACCES),
            install::InstallError::Invalid { .. } => Some(Errno::EINVAL),
            _ => None,
        }
    }

    #[inline(never)]
    fn fail(what: &str, e: Option<Errno>) -> ! {
        let mut line = Line::new();
        line.str("seccomp-bpf init: FAIL (")
            .str(what)
            .str(" failed");
        if let Some(e) = e {
            line.str(": ").errno(e);
        }
        line.str(")").print();
        power_off()
    }

    fn power_off() -> ! {
        if let Err(e) = process::reboot(process::REBOOT_POWER_OFF) {
            Line::new()
                .str("seccomp-bpf init: power off failed: ")
                .errno(e)
                .print();
        }
        // PID 1 exiting panics the kernel, which ends the VM as well.
        sys::exit_group(1)
    }

    /// The result of a call as `Result`, for the wrappers that return the
    /// raw value (the kernel's `-errno` on failure).
    fn raw(ret: i32) -> Result<i64, Errno> {
        if (-4095..0).contains(&ret) {
            Err(Errno::from_raw(-ret))
        } else {
            Ok(i64::from(ret))
        }
    }

    /// Compares a call's result with the one the filter must give.
    #[inline(never)]
    fn expect(d: &mut Line, what: &str, got: Result<i64, Errno>, want: Result<i64, Errno>) -> bool {
        if got == want {
            return true;
        }
        d.str(what)
            .str(": got ")
            .result(got)
            .str(", want ")
            .result(want);
        false
    }

    /// Compares a value the SIGSYS handler saw with the one it must see.
    #[inline(never)]
    fn expect_u64(d: &mut Line, what: &str, got: u64, want: u64) -> bool {
        if got == want {
            return true;
        }
        d.str(what).str(": got ").hex(got).str(", want ").hex(want);
        false
    }

    fn allow(d: &mut Line) -> bool {
        expect(d, "getpid", raw(sys::getpid()), Ok(1))
    }

    fn errno(d: &mut Line) -> bool {
        expect(d, "getppid", raw(sys::getppid()), Err(Errno::EACCES))
    }

    fn unit(r: Result<(), Errno>) -> Result<i64, Errno> {
        r.map(|()| 0)
    }

    fn arg_match(d: &mut Line) -> bool {
        expect(d, "kill(1, 0)", unit(sys::kill(1, 0)), Ok(0))
    }

    fn arg_other(d: &mut Line) -> bool {
        // Unfiltered, PID 1 may signal itself (and ignores SIGUSR1).
        let got = unit(sys::kill(1, SIGUSR1 as i32));
        expect(d, "kill(1, SIGUSR1)", got, Err(Errno::EPERM))
    }

    /// `kill`'s signal is an `int`: the kernel ignores the upper half of the
    /// register, so the low-32 condition must too. Upper half set, low half
    /// 0: the filter allows it and the kernel runs kill(1, 0).
    fn arg_low32(d: &mut Line) -> bool {
        let sig = 0xdead_beef_0000_0000_u64 as usize;
        // SAFETY: kill takes two integers and touches no memory of ours.
        let ret = unsafe { sys::syscall2(sys::nr::KILL, 1, sig) };
        let got = sys::decode(ret).map(|v| v as i64);
        expect(d, "kill(1, 0xdeadbeef00000000)", got, Ok(0))
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

    /// The SIGSYS handler: keeps what the kernel says about the trapped
    /// call for [`trap`] to check.
    extern "C" fn on_sigsys(_: i32, info: &SigInfo, _: *mut core::ffi::c_void) {
        SIGSYS_SIGNO.store(info.signo(), Relaxed);
        SIGSYS_CODE.store(info.code(), Relaxed);
        SIGSYS_DATA.store(info.errno(), Relaxed);
        SIGSYS_NR.store(info.syscall(), Relaxed);
        SIGSYS_ARCH.store(info.arch(), Relaxed);
        // One thread, and the handler does not nest: a load and a store do.
        SIGSYS_COUNT.store(SIGSYS_COUNT.load(Relaxed) + 1, Relaxed);
    }

    fn trap(d: &mut Line) -> bool {
        // The TRAP skips the call; what it then returns is not defined.
        let _ = sys::prctl_get_seccomp();
        let seen = |v: &AtomicI32| v.load(Relaxed) as u32 as u64;
        expect_u64(d, "SIGSYS count", SIGSYS_COUNT.load(Relaxed).into(), 1)
            && expect_u64(d, "si_signo", seen(&SIGSYS_SIGNO), process::SIGSYS as u64)
            && expect_u64(
                d,
                "si_code",
                seen(&SIGSYS_CODE),
                process::SYS_SECCOMP as u64,
            )
            && expect_u64(d, "si_errno", seen(&SIGSYS_DATA), TRAP_DATA.into())
            && expect_u64(d, "si_syscall", seen(&SIGSYS_NR), sys::nr::PRCTL as u64)
            && expect_u64(
                d,
                "si_arch",
                SIGSYS_ARCH.load(Relaxed).into(),
                ABI.audit_arch().into(),
            )
    }

    /// The crate's SIGSYS reporter, in an errno mode: it replaces the
    /// init's handler, writes its line to stderr (the console) and makes
    /// the trapped call fail with [`REPORTER_ERRNO`]; the init goes on.
    fn reporter(d: &mut Line) -> bool {
        if let Err(e) =
            trap::install_reporter_without_names(OnTrap::Fail(REPORTER_ERRNO.raw() as u16))
        {
            d.str("install_reporter: ");
            match e {
                TrapError::Unsupported => d.str("unsupported here"),
                TrapError::Sigaction(e) => d.str("rt_sigaction: ").errno(e),
                _ => d.str("refused the errno"),
            };
            return false;
        }
        let got = sys::prctl_get_no_new_privs().map(i64::from);
        expect(d, "prctl(PR_GET_NO_NEW_PRIVS)", got, Err(REPORTER_ERRNO))
            // The reporter, not the init's handler, took this SIGSYS.
            && expect_u64(d, "init's SIGSYS count", SIGSYS_COUNT.load(Relaxed).into(), 1)
    }

    /// Runs `child` in a forked process and returns how that ended.
    #[inline(never)]
    fn in_child(d: &mut Line, child: fn() -> i32) -> Option<WaitStatus> {
        // SAFETY: the init has one thread.
        match unsafe { process::fork() } {
            Ok(Fork::Child) => sys::exit_group(child()),
            Ok(Fork::Parent(pid)) => match process::wait4(pid, 0) {
                Ok((_, status)) => Some(status),
                Err(e) => {
                    d.str("wait4: ").errno(e);
                    None
                }
            },
            Err(e) => {
                d.str("fork: ").errno(e);
                None
            }
        }
    }

    /// A child whose kill(1, SIGUSR2) meets KILL_PROCESS: its parent sees
    /// it end by SIGSYS.
    fn kill_child(d: &mut Line) -> bool {
        let Some(status) = in_child(d, || {
            let _ = sys::kill(1, SIGUSR2 as i32);
            0
        }) else {
            return false;
        };
        if let WaitStatus::Signaled { signal, .. } = status {
            if signal == process::SIGSYS {
                return true;
            }
        }
        d.str("child ")
            .status(status)
            .str(", want killed by SIGSYS");
        false
    }

    /// A second filter on top of the first, in a child: its ERRNO beats the
    /// first one's ALLOW, the first one's ERRNO beats its ALLOW, and of two
    /// ERRNOs the newer filter's data wins.
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
            WaitStatus::Exited(10) => "installing the second filter failed",
            WaitStatus::Exited(11) => "getpid: the newer filter's ERRNO lost to ALLOW",
            WaitStatus::Exited(12) => "getppid: the older filter's ERRNO data won",
            WaitStatus::Exited(13) => "gettid: the older filter's ERRNO lost to ALLOW",
            _ => "the child",
        };
        d.str(why).str(": ").status(status);
        false
    }

    // What a program without libc must bring itself: the memory routines
    // the compiler emits calls to, and the personality symbol the prebuilt
    // `core` names in its unwind tables (never called: panics abort).

    /// `memcpy`, byte by byte. Volatile accesses keep the compiler from
    /// turning the loop back into a call to `memcpy`.
    ///
    /// # Safety
    /// `src` and `dst` must be valid for `n` bytes and not overlap.
    #[unsafe(no_mangle)]
    unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        for i in 0..n {
            // SAFETY: the caller's contract: both are valid for n bytes.
            unsafe { dst.add(i).write_volatile(src.add(i).read_volatile()) };
        }
        dst
    }

    /// `memset`, byte by byte, volatile for the same reason.
    ///
    /// # Safety
    /// `dst` must be valid for `n` bytes.
    #[unsafe(no_mangle)]
    unsafe extern "C" fn memset(dst: *mut u8, c: core::ffi::c_int, n: usize) -> *mut u8 {
        for i in 0..n {
            // SAFETY: the caller's contract: dst is valid for n bytes.
            unsafe { dst.add(i).write_volatile(c as u8) };
        }
        dst
    }

    #[unsafe(no_mangle)]
    extern "C" fn rust_eh_personality() {}

    /// On aarch64, atomic read-modify-writes call compiler-builtins'
    /// outline helpers, whose object also holds a constructor that asks
    /// libc's `getauxval` whether the CPU has LSE atomics. Nothing runs
    /// constructors here, so the helpers keep their LL/SC path and this is
    /// never called; it only satisfies the linker, answering "nothing
    /// known" as `getauxval` does for an absent entry.
    #[cfg(target_arch = "aarch64")]
    #[unsafe(no_mangle)]
    extern "C" fn getauxval(_kind: core::ffi::c_ulong) -> core::ffi::c_ulong {
        0
    }

    #[panic_handler]
    fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
        let mut line = Line::new();
        line.str("seccomp-bpf init: FAIL (panic");
        if let Some(at) = info.location() {
            line.str(" at ")
                .str(at.file())
                .str(":")
                .int(i64::from(at.line()));
        }
        line.str(")").print();
        power_off()
    }
}
