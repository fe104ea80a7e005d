//! The interpreter against the running kernel.
//!
//! Each case builds a program, predicts with `bpf::run` what a call returns
//! under it, then installs it in a forked child (no_new_privs + seccomp(2)),
//! makes the call with chosen arguments, and compares. The child reports
//! through a MAP_SHARED page mapped before the fork, because any syscall
//! after the filter (write, exit) may be refused; the parent SIGKILLs and
//! reaps it.
//!
//! Linux only, x86_64 only (the predictions use AUDIT_ARCH_X86_64 and its
//! syscall numbers).
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI32, AtomicI64, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use seccomp_bpf::action::Effect;
use seccomp_bpf::bpf::{self, SockFilter, op};
use seccomp_bpf::{Abi, Action, ByteOrder, SeccompData, data};

// --- the child's report --------------------------------------------------

const STARTED: u32 = 1;
const INSTALL_FAILED: u32 = 2;
const INSTALLED: u32 = 3;
const DONE: u32 = 4;

#[repr(C)]
struct Report {
    state: AtomicU32,
    errno: AtomicI32,
    ret: AtomicI64,
}

/// A page shared with the children, mapped once.
struct Shared(*mut Report);

impl Shared {
    fn new() -> Shared {
        // SAFETY: an anonymous shared mapping of one page; checked below.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED, "mmap");
        Shared(p.cast())
    }
    fn get(&self) -> &Report {
        // SAFETY: the page lives until drop, is zero-filled at first (a
        // valid Report of atomics) and is only accessed through atomics.
        unsafe { &*self.0 }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // SAFETY: unmaps the page mapped in `new`.
        unsafe { libc::munmap(self.0.cast(), 4096) };
    }
}

/// What the call did, as the parent saw it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Observed {
    /// The call returned `ret` (with `errno` when `ret == -1`).
    Returned { ret: i64, errno: i32 },
    /// The child died of SIGSYS after installing the filter.
    Sigsys,
    /// seccomp(2) refused the program with this errno.
    Refused(i32),
    /// Anything else: a bug in the harness or a surprise from the kernel.
    Other { state: u32, status: i32 },
}

/// One call to make under a filter.
#[derive(Clone, Copy, Debug)]
struct Call {
    nr: i64,
    args: [u64; 6],
}

/// Runs `prog` in a child and makes `call` under it; also gives the
/// child's pid.
fn observe(shared: &Shared, prog: &[SockFilter], call: Call) -> (Observed, i64) {
    let rep = shared.get();
    rep.state.store(0, Ordering::SeqCst);
    rep.errno.store(0, Ordering::SeqCst);
    rep.ret.store(0, Ordering::SeqCst);
    let fprog = libc::sock_fprog {
        len: u16::try_from(prog.len()).expect("program too long"),
        // SockFilter has the layout of struct sock_filter (repr C, checked
        // by the crate's static assertions).
        filter: prog.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: fork; the child only makes raw syscalls and atomic stores,
    // and never returns.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork");
    if pid == 0 {
        child(rep, &fprog, call);
    }
    let start = Instant::now();
    let mut status = 0;
    loop {
        // SAFETY: plain waitpid on our own child.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            break;
        }
        let s = rep.state.load(Ordering::SeqCst);
        if s == DONE || s == INSTALL_FAILED || start.elapsed() > Duration::from_secs(5) {
            // SAFETY: kill and reap our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            break;
        }
        std::thread::sleep(Duration::from_micros(20));
    }
    let state = rep.state.load(Ordering::SeqCst);
    let observed = match state {
        DONE => Observed::Returned {
            ret: rep.ret.load(Ordering::SeqCst),
            errno: rep.errno.load(Ordering::SeqCst),
        },
        INSTALL_FAILED => Observed::Refused(rep.errno.load(Ordering::SeqCst)),
        INSTALLED if libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGSYS => {
            Observed::Sigsys
        }
        _ => Observed::Other { state, status },
    };
    (observed, i64::from(pid))
}

fn child(rep: &Report, fprog: &libc::sock_fprog, call: Call) -> ! {
    // SAFETY: raw syscalls on this process only; every pointer passed is
    // valid for the call (fprog and rlimit live on this stack or in the
    // parent's memory, copied by fork).
    unsafe {
        rep.state.store(STARTED, Ordering::SeqCst);
        // No core dumps from KILL_PROCESS (core_pattern may be a file).
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        let no_core = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &no_core);
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            rep.errno.store(*libc::__errno_location(), Ordering::SeqCst);
            rep.state.store(INSTALL_FAILED, Ordering::SeqCst);
            libc::_exit(1);
        }
        let r = libc::syscall(libc::SYS_seccomp, 1, 0, fprog as *const libc::sock_fprog);
        if r != 0 {
            rep.errno.store(*libc::__errno_location(), Ordering::SeqCst);
            rep.state.store(INSTALL_FAILED, Ordering::SeqCst);
            libc::_exit(1);
        }
        rep.state.store(INSTALLED, Ordering::SeqCst);
        *libc::__errno_location() = 0;
        let [a0, a1, a2, a3, a4, a5] = call.args;
        let r = libc::syscall(call.nr, a0, a1, a2, a3, a4, a5);
        rep.errno.store(*libc::__errno_location(), Ordering::SeqCst);
        rep.ret.store(r, Ordering::SeqCst);
        rep.state.store(DONE, Ordering::SeqCst);
        // exit_group may itself be refused by the filter: then wait for
        // the parent's SIGKILL.
        libc::syscall(libc::SYS_exit_group, 0);
        loop {
            std::hint::spin_loop();
        }
    }
}

/// What the interpreter says the child will see.
fn predict(prog: &[SockFilter], call: Call, child_pid: i64) -> (Action, Observed) {
    let d = SeccompData::new(call.nr as i32, Abi::X86_64.audit_arch(), call.args);
    let out = bpf::run(prog, ByteOrder::Little, &d).expect("generated program refused by verify");
    let action = out.action();
    let observed = match action.effect() {
        Effect::Allow | Effect::Log => Observed::Returned {
            ret: real_result(call.nr, child_pid),
            errno: 0,
        },
        Effect::Errno(0) => Observed::Returned { ret: 0, errno: 0 },
        Effect::Errno(e) => Observed::Returned {
            ret: -1,
            errno: i32::from(e),
        },
        // No listener and no tracer: ENOSYS.
        Effect::UserNotif | Effect::Trace(_) => Observed::Returned {
            ret: -1,
            errno: libc::ENOSYS,
        },
        Effect::KillProcess | Effect::KillThread | Effect::Trap(_) => Observed::Sigsys,
    };
    (action, observed)
}

/// The harmless calls the children make, and what they return unfiltered.
const CALLS: [i64; 5] = [
    libc::SYS_getppid,
    libc::SYS_getpid,
    libc::SYS_gettid,
    libc::SYS_getuid,
    libc::SYS_getgid,
];

fn real_result(nr: i64, child_pid: i64) -> i64 {
    // SAFETY: argument-less calls that cannot fail.
    unsafe {
        match nr {
            libc::SYS_getppid => i64::from(libc::getpid()),
            libc::SYS_getpid | libc::SYS_gettid => child_pid,
            libc::SYS_getuid => i64::from(libc::getuid()),
            libc::SYS_getgid => i64::from(libc::getgid()),
            _ => panic!("no known result for syscall {nr}"),
        }
    }
}

/// Runs one case and asserts the kernel did what `run` predicts; returns
/// the predicted action.
fn check(shared: &Shared, prog: &[SockFilter], call: Call) -> Action {
    let (observed, child_pid) = observe(shared, prog, call);
    let (action, predicted) = predict(prog, call, child_pid);
    assert_eq!(
        observed,
        predicted,
        "call {call:?} predicted {action}\n{}",
        bpf::Disasm::new(prog)
    );
    action
}

// --- directed cases ------------------------------------------------------

fn errno_of_a(body: &[SockFilter]) -> Vec<SockFilter> {
    // A &= 0xfff; A |= ERRNO; return A: shows A's low 12 bits as the errno.
    let mut p = body.to_vec();
    p.extend([
        bpf::and_k(0xfff),
        bpf::or_k(Action::Errno(0).to_ret()),
        bpf::ret_a(),
    ]);
    p
}

const GETPPID: Call = Call {
    nr: libc::SYS_getppid,
    args: [0; 6],
};

/// Shifts by X of 32 and more: the kernel uses the low 5 bits of X (found
/// on 6.18 with the x86-64 JIT; its eBPF interpreter masks the same way).
#[test]
fn shift_by_x_uses_low_five_bits() {
    let shared = Shared::new();
    for (a, x, operation) in [
        (0x101u32, 32u32, op::LSH),
        (0x101, 33, op::LSH),
        (0x101, 0x100, op::LSH),
        (0x101, 0xffff_ffe1, op::LSH),
        (0x8000_0000, 52, op::RSH),
        (0x8000_0000, 0xffff_fff4, op::RSH),
        (0x8000_0000, 32 + 31, op::RSH),
    ] {
        let prog = errno_of_a(&[bpf::ld_imm(a), bpf::ldx_imm(x), bpf::alu_x(operation)]);
        let (got, _) = observe(&shared, &prog, GETPPID);
        let shifted = if operation == op::LSH {
            a << (x & 31)
        } else {
            a >> (x & 31)
        };
        let masked = i32::try_from(shifted & 0xfff).unwrap();
        let want = if masked == 0 {
            Observed::Returned { ret: 0, errno: 0 }
        } else {
            Observed::Returned {
                ret: -1,
                errno: masked,
            }
        };
        assert_eq!(got, want, "A={a:#x} X={x:#x} op {operation:#x}");
        check(&shared, &prog, GETPPID);
    }
}

#[test]
fn directed_cases() {
    let shared = Shared::new();
    let allow = bpf::ret_k(Action::Allow.to_ret());
    let cases: Vec<Vec<SockFilter>> = vec![
        // DIV by X == 0 ends the program with 0: KILL_THREAD.
        vec![bpf::ld_imm(7), bpf::ldx_imm(0), bpf::alu_x(op::DIV), allow],
        // DIV by X != 0.
        errno_of_a(&[bpf::ld_imm(700), bpf::ldx_imm(7), bpf::alu_x(op::DIV)]),
        // LEN loads 64, in A and in X.
        errno_of_a(&[bpf::ld_len()]),
        errno_of_a(&[bpf::ldx_len(), bpf::txa()]),
        // ERRNO data above 4095 is capped; ERRNO(0) returns 0.
        vec![bpf::ret_k(Action::Errno(4096).to_ret())],
        vec![bpf::ret_k(Action::Errno(0xffff).to_ret())],
        vec![bpf::ret_k(Action::Errno(0).to_ret())],
        // Unknown actions kill the process.
        vec![bpf::ret_k(0x0001_0000)],
        vec![bpf::ret_k(0x7ffe_0000)],
        // RET A of an action value.
        vec![bpf::ld_imm(Action::Errno(13).to_ret()), bpf::ret_a()],
        // Wrapping arithmetic.
        errno_of_a(&[bpf::ld_imm(0xffff_fff0), bpf::add_k(0x25)]),
        errno_of_a(&[bpf::ld_imm(3), bpf::neg(), bpf::alu_k(op::MUL, 0x1001)]),
    ];
    for prog in &cases {
        check(&shared, prog, GETPPID);
    }
    // A JA longer than a conditional jump can reach.
    let mut long = vec![bpf::ja(300)];
    long.extend(std::iter::repeat_n(
        bpf::ret_k(Action::Errno(1).to_ret()),
        300,
    ));
    long.push(bpf::ret_k(Action::Errno(2).to_ret()));
    assert_eq!(check(&shared, &long, GETPPID), Action::Errno(2));
}

// --- generated programs --------------------------------------------------

/// splitmix64: small, deterministic, good enough to pick instructions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn gen_args(rng: &mut Rng) -> [u64; 6] {
    let mut args = [0u64; 6];
    for a in &mut args {
        *a = match rng.below(6) {
            0 => 0,
            1 => rng.below(16),
            2 => u64::MAX,
            3 => rng.next() & 0xffff_ffff,
            4 => (rng.below(4) << 32) | rng.below(4),
            _ => rng.next(),
        };
    }
    args
}

fn gen_ret(rng: &mut Rng) -> SockFilter {
    let errnos = [0u16, 1, 2, 13, 22, 38, 95, 4095, 4096, 0x7fff, 0xffff];
    let action = match rng.below(12) {
        0 | 1 => Action::Allow,
        2 => Action::Log,
        3..=5 => Action::Errno(if rng.chance(50) {
            rng.pick(&errnos)
        } else {
            rng.below(4096) as u16
        }),
        6 => Action::KillProcess,
        7 => Action::KillThread,
        8 => Action::Trap(rng.below(0x10000) as u16),
        9 => Action::Unknown(rng.pick(&[0x0001_0000, 0x7ffe_0000, 0x0004_0000])),
        _ => return bpf::ret_a(),
    };
    bpf::ret_k(action.to_ret())
}

/// Data offsets a generated program may load: nr, arch and the argument
/// halves (not the instruction pointer, which the parent cannot predict).
fn gen_load(rng: &mut Rng) -> u32 {
    match rng.below(4) {
        0 => data::NR,
        1 => data::ARCH,
        _ => data::ARGS + 4 * rng.below(12) as u32,
    }
}

/// A random program the checker accepts: a prologue that loads a field and
/// stores it into some scratch slots (the only slots later read), a body of
/// loads, stores, ALU operations and forward jumps, and a tail of RETs.
fn gen_program(rng: &mut Rng, call: &Call) -> Vec<SockFilter> {
    let mut pool: Vec<u32> = vec![
        call.nr as u32,
        Abi::X86_64.audit_arch(),
        Abi::X86.audit_arch(),
        0,
        1,
        0xffff_ffff,
        Action::Allow.to_ret(),
        Action::Errno(1).to_ret(),
        Action::Log.to_ret(),
    ];
    for a in call.args {
        pool.push(a as u32);
        pool.push((a >> 32) as u32);
    }
    let k = |rng: &mut Rng| match rng.below(4) {
        0 => rng.next() as u32,
        1 => rng.below(64) as u32,
        _ => rng.pick(&pool),
    };

    let mut prog = vec![bpf::ld_abs(gen_load(rng))];
    let init: Vec<u32> = (0..16).filter(|_| rng.chance(20)).collect();
    for &s in &init {
        if rng.chance(50) {
            prog.push(bpf::ld_abs(gen_load(rng)));
        }
        prog.push(bpf::st(s));
    }
    let body_len = rng.below(40) as usize;
    let n_rets = 1 + rng.below(4) as usize;
    let total = prog.len() + body_len + n_rets;
    let alu_ops = [
        op::ADD,
        op::SUB,
        op::MUL,
        op::DIV,
        op::OR,
        op::AND,
        op::XOR,
        op::LSH,
        op::RSH,
    ];
    while prog.len() < total - n_rets {
        let pc = prog.len();
        // Largest forward offset that stays inside the program.
        let reach = (total - pc - 2) as u64;
        let insn = match rng.below(16) {
            0 | 1 => bpf::ld_abs(gen_load(rng)),
            2 => bpf::ld_imm(k(rng)),
            3 => match rng.below(4) {
                0 => bpf::ld_len(),
                1 => bpf::ldx_len(),
                2 => bpf::tax(),
                _ => bpf::txa(),
            },
            4 => bpf::ldx_imm(k(rng)),
            5 => match init.is_empty() {
                true => bpf::st(rng.below(16) as u32),
                false if rng.chance(50) => bpf::ld_mem(rng.pick(&init)),
                false => bpf::ldx_mem(rng.pick(&init)),
            },
            6 => {
                if rng.chance(50) {
                    bpf::st(rng.below(16) as u32)
                } else {
                    bpf::stx(rng.below(16) as u32)
                }
            }
            7 | 8 => {
                let operation = rng.pick(&alu_ops);
                let kk = match operation {
                    op::DIV => 1 + rng.below(u64::from(u32::MAX)) as u32 % 1000,
                    op::LSH | op::RSH => rng.below(32) as u32,
                    _ => k(rng),
                };
                bpf::alu_k(operation, kk)
            }
            9 => {
                if rng.chance(10) {
                    bpf::neg()
                } else {
                    bpf::alu_x(rng.pick(&alu_ops))
                }
            }
            10 => bpf::ja(rng.below(reach + 1) as u32),
            _ => {
                let cond = rng.pick(&[op::JEQ, op::JGT, op::JGE, op::JSET]);
                let jt = rng.below(reach.min(255) + 1) as u8;
                let jf = rng.below(reach.min(255) + 1) as u8;
                if rng.chance(30) {
                    SockFilter::jump(op::JMP | cond | op::X, 0, jt, jf)
                } else {
                    SockFilter::jump(op::JMP | cond | op::K, k(rng), jt, jf)
                }
            }
        };
        prog.push(insn);
    }
    for _ in 0..n_rets - 1 {
        prog.push(gen_ret(rng));
    }
    // The last instruction is a RET K or RET A either way.
    prog.push(gen_ret(rng));
    prog
}

#[test]
fn generated_programs_match_the_kernel() {
    const PROGRAMS: usize = 4000;
    let shared = Shared::new();
    let mut rng = Rng(0x5ecc_0bbf_2026_0001);
    let started = Instant::now();
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for _ in 0..PROGRAMS {
        let call = Call {
            nr: rng.pick(&CALLS),
            args: gen_args(&mut rng),
        };
        let prog = gen_program(&mut rng, &call);
        let action = check(&shared, &prog, call);
        let kind = match action {
            Action::Allow => "allow",
            Action::Log => "log",
            Action::Errno(0) => "errno(0)",
            Action::Errno(_) => "errno",
            Action::KillProcess => "kill_process",
            Action::KillThread => "kill_thread",
            Action::Trap(_) => "trap",
            Action::UserNotif | Action::Trace(_) => "notify/trace",
            _ => "unknown",
        };
        *counts.entry(kind).or_default() += 1;
    }
    println!(
        "{PROGRAMS} generated programs agree with the kernel in {:.1?}: {counts:?}",
        started.elapsed()
    );
    // Every kind of outcome was exercised.
    for kind in [
        "allow",
        "log",
        "errno",
        "errno(0)",
        "kill_process",
        "kill_thread",
        "trap",
        "unknown",
    ] {
        assert!(counts.get(kind).copied().unwrap_or(0) > 0, "no {kind} case");
    }
}
