//! `verify` and `charged_len` against the running kernel.
//!
//! Every program is handed to `seccomp(SECCOMP_SET_MODE_FILTER)` in a forked
//! child. A child that has installed a filter cannot be trusted to make
//! system calls, so it reports through a shared anonymous mapping made
//! before the fork, then calls `_exit`; the parent reads the mapping, kills
//! and reaps the child.
//!
//! Linux only; the tests need seccomp filter support (any kernel since 3.5).

#![cfg(target_os = "linux")]

use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::time::Instant;

use seccomp_bpf::bpf::op::*;
use seccomp_bpf::bpf::verify::{
    CHAIN_BUDGET, FILTER_OVERHEAD, MAX_INSNS, charged_len, fits_budget,
};
use seccomp_bpf::bpf::{self, SockFilter, SockFprog, verify};

const ALLOW: u32 = 0x7fff_0000;

// ---------------------------------------------------------------------------
// The shared page and the child.

/// An anonymous `MAP_SHARED` mapping of `words` 32-bit words: word 0 is the
/// "done" flag, word 1 a counter, then one result per program.
struct Shared {
    ptr: *mut u32,
    words: usize,
}

impl Shared {
    fn new(words: usize) -> Shared {
        let bytes = words * 4;
        // SAFETY: a fresh anonymous mapping; checked for failure.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED, "mmap");
        Shared {
            ptr: p.cast(),
            words,
        }
    }
    fn word(&self, i: usize) -> &AtomicU32 {
        assert!(i < self.words);
        // SAFETY: in bounds, 4-aligned (page-aligned base), and only ever
        // accessed atomically, here and in the child.
        unsafe { &*(self.ptr.add(i) as *const AtomicU32) }
    }
    fn signed(&self, i: usize) -> &AtomicI32 {
        assert!(i < self.words);
        // SAFETY: as in `word`.
        unsafe { &*(self.ptr.add(i) as *const AtomicI32) }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, no references outlive self.
        unsafe { libc::munmap(self.ptr.cast(), self.words * 4) };
    }
}

const DONE: usize = 0;
const COUNT: usize = 1;
const RESULTS: usize = 2;

fn errno() -> i32 {
    // SAFETY: reading the calling thread's errno.
    unsafe { *libc::__errno_location() }
}

/// In the child: no_new_privs, no core dumps (a filter may make `_exit`
/// raise SIGSYS or fail), then the filter. Returns 0 or the errno.
fn child_prepare() {
    // SAFETY: plain prctl calls with integer arguments.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            libc::_exit(3);
        }
    }
}

fn install(prog: &[SockFilter]) -> i32 {
    let Some(fprog) = SockFprog::new(prog) else {
        return -1;
    };
    // SAFETY: seccomp reads `fprog` and the instructions it points at, both
    // alive for the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            1 as libc::c_long, // SECCOMP_SET_MODE_FILTER
            0 as libc::c_long,
            &fprog as *const SockFprog<'_>,
        )
    };
    if r == 0 { 0 } else { errno() }
}

/// Forks a child that runs `body` (which must only make raw system calls
/// and write into `shared`) and sets DONE when finished; waits for DONE,
/// then kills and reaps the child.
fn in_child(shared: &Shared, body: impl FnOnce()) {
    shared.word(DONE).store(0, Ordering::SeqCst);
    // SAFETY: the child only calls async-signal-safe functions (raw
    // syscalls, atomics on the shared mapping) and then `_exit`.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork");
    if pid == 0 {
        child_prepare();
        body();
        shared.word(DONE).store(1, Ordering::SeqCst);
        // SAFETY: ends the child without running the parent's destructors.
        unsafe { libc::_exit(0) };
    }
    let start = Instant::now();
    loop {
        if shared.word(DONE).load(Ordering::SeqCst) != 0 {
            break;
        }
        let mut status = 0;
        // SAFETY: polling our own child.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            // Reaped. It may have finished between the two checks; if not,
            // it died without reporting.
            assert_ne!(
                shared.word(DONE).load(Ordering::SeqCst),
                0,
                "child died before reporting (status {status:#x})"
            );
            return;
        }
        assert!(start.elapsed().as_secs() < 60, "child hangs");
        std::thread::yield_now();
    }
    // SAFETY: our child, not yet reaped; SIGKILL then a blocking reap.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
        let mut status = 0;
        libc::waitpid(pid, &mut status, 0);
    }
}

/// The kernel's verdict on each program: 0 or the errno. One child per
/// program, except that a child goes on to the next program while the
/// kernel refuses (a refused filter leaves the child unchanged); after an
/// acceptance a fresh child continues.
fn kernel_verdicts(progs: &[Vec<SockFilter>], batch: bool) -> (Vec<i32>, usize) {
    let shared = Shared::new(RESULTS + progs.len());
    let mut next = 0;
    let mut forks = 0;
    while next < progs.len() {
        shared.word(COUNT).store(next as u32, Ordering::SeqCst);
        forks += 1;
        in_child(&shared, || {
            let mut i = shared.word(COUNT).load(Ordering::SeqCst) as usize;
            while i < progs.len() {
                let r = install(&progs[i]);
                shared.signed(RESULTS + i).store(r, Ordering::SeqCst);
                i += 1;
                shared.word(COUNT).store(i as u32, Ordering::SeqCst);
                if r == 0 || !batch {
                    break;
                }
            }
        });
        next = shared.word(COUNT).load(Ordering::SeqCst) as usize;
    }
    let out = (0..progs.len())
        .map(|i| shared.signed(RESULTS + i).load(Ordering::SeqCst))
        .collect();
    (out, forks)
}

/// Asserts that `verify` agrees with the kernel on every program; prints the
/// counts. Returns the programs the kernel accepted.
fn check_against_kernel(
    name: &str,
    progs: &[Vec<SockFilter>],
    batch: bool,
) -> Vec<Vec<SockFilter>> {
    let t = Instant::now();
    let (verdicts, forks) = kernel_verdicts(progs, batch);
    let mut accepted = Vec::new();
    let mut disagreements = Vec::new();
    for (prog, &r) in progs.iter().zip(&verdicts) {
        let ours = verify(prog);
        // Every refusal of the program itself is EINVAL (a fresh child has
        // no chain, so no ENOMEM).
        assert!(
            r == 0 || r == libc::EINVAL,
            "unexpected errno {r} for {prog:?}"
        );
        if ours.is_ok() != (r == 0) {
            disagreements.push((prog.clone(), ours, r));
        }
        if r == 0 {
            accepted.push(prog.clone());
        }
    }
    println!(
        "{name}: {} programs, kernel accepted {}, rejected {}, agreements {}, {} forks, {:.2?}",
        progs.len(),
        accepted.len(),
        progs.len() - accepted.len(),
        progs.len() - disagreements.len(),
        forks,
        t.elapsed()
    );
    for (prog, ours, r) in disagreements.iter().take(10) {
        let shown: Vec<_> = prog.iter().take(12).collect();
        println!(
            "  DISAGREE kernel errno {r}, verify {ours:?}, len {}: {shown:?}",
            prog.len()
        );
    }
    assert!(
        disagreements.is_empty(),
        "{name}: {} disagreements",
        disagreements.len()
    );
    accepted
}

// ---------------------------------------------------------------------------
// Program generation.

/// splitmix64: small, deterministic.
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
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// Classic opcodes seccomp refuses, and one classic BPF does not have.
const REFUSED: [u16; 10] = [
    ALU | MOD | K,
    ALU | MOD | X,
    LD | H | ABS,
    LD | B | ABS,
    LD | W | IND,
    LD | H | IND,
    LD | B | IND,
    LDX | B | MSH,
    RET | X,
    LDX | W | ABS,
];

const ALU_OPS: [u16; 9] = [ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, XOR];
const JUMP_OPS: [u16; 4] = [JEQ, JGT, JGE, JSET];

fn interesting_k(rng: &mut Rng) -> u32 {
    match rng.below(8) {
        0 => 0,
        1 => 1,
        2 => 0x8000_0000,
        3 => 0xffff_ffff,
        4 => 0xC000_003E,
        5 => ALLOW,
        6 => rng.below(64) as u32,
        _ => rng.next() as u32,
    }
}

/// A jump offset from `pc` in a program of `len`: mostly in range, now and
/// then exactly one past the end.
fn offset(rng: &mut Rng, pc: usize, len: usize, bad: bool) -> u32 {
    let room = (len - pc - 1) as u64; // targets pc+1 .. len-1 are offsets 0..room-1
    if bad || room == 0 {
        room as u32 + rng.below(2) as u32
    } else {
        rng.below(room) as u32
    }
}

fn random_insn(rng: &mut Rng, pc: usize, len: usize) -> SockFilter {
    let bad = rng.chance(4);
    match rng.below(13) {
        0 | 1 => {
            let k = if bad {
                rng.pick(&[
                    1,
                    2,
                    3,
                    62,
                    63,
                    64,
                    66,
                    68,
                    0xffff_f000,
                    0xffff_f040,
                    0xffff_ffff,
                ])
            } else {
                4 * rng.below(16) as u32
            };
            bpf::ld_abs(k)
        }
        2 => rng.pick(&[
            bpf::ld_len(),
            bpf::ldx_len(),
            bpf::tax(),
            bpf::txa(),
            bpf::neg(),
        ]),
        3 => {
            let k = interesting_k(rng);
            if rng.chance(50) {
                bpf::ld_imm(k)
            } else {
                bpf::ldx_imm(k)
            }
        }
        4 => {
            let op = rng.pick(&ALU_OPS);
            if rng.chance(30) {
                return bpf::alu_x(op);
            }
            let k = match op {
                DIV if bad => 0,
                DIV => 1 + rng.below(100) as u32,
                LSH | RSH if bad => 32 + rng.below(3) as u32,
                LSH | RSH => rng.below(32) as u32,
                _ => interesting_k(rng),
            };
            bpf::alu_k(op, k)
        }
        5 | 6 => {
            let slot = if bad {
                16 + rng.below(2) as u32
            } else {
                rng.below(4) as u32
            };
            rng.pick(&[
                bpf::st(slot),
                bpf::stx(slot),
                bpf::st(slot),
                bpf::ld_mem(slot),
                bpf::ldx_mem(slot),
            ])
        }
        7 => bpf::ja(offset(rng, pc, len, bad)),
        8..=10 => {
            let op = rng.pick(&JUMP_OPS);
            let src = if rng.chance(25) { X } else { K };
            let bad_t = bad && rng.chance(50);
            let jt = offset(rng, pc, len, bad_t).min(255) as u8;
            let bad_f = bad && rng.chance(50);
            let jf = offset(rng, pc, len, bad_f).min(255) as u8;
            let jt = if rng.chance(30) { 0 } else { jt };
            let jf = if rng.chance(30) { 0 } else { jf };
            SockFilter::jump(JMP | op | src, interesting_k(rng), jt, jf)
        }
        11 => {
            if rng.chance(50) {
                bpf::ret_a()
            } else {
                bpf::ret_k(ALLOW)
            }
        }
        _ => {
            if bad {
                if rng.chance(50) {
                    SockFilter::stmt(rng.pick(&REFUSED), 4)
                } else {
                    SockFilter::stmt(rng.next() as u16, interesting_k(rng))
                }
            } else {
                bpf::ld_abs(0)
            }
        }
    }
}

fn random_program(rng: &mut Rng) -> Vec<SockFilter> {
    let len = match rng.below(10) {
        0 => 1 + rng.below(3) as usize,
        1..=7 => 2 + rng.below(12) as usize,
        8 => 10 + rng.below(40) as usize,
        _ => 50 + rng.below(300) as usize,
    };
    let mut p: Vec<SockFilter> = (0..len).map(|pc| random_insn(rng, pc, len)).collect();
    // Scratch reads mostly after a store to the same slot, so that valid
    // programs with memory are common.
    if rng.chance(60) && len > 2 {
        let slot = rng.below(4) as u32;
        p[0] = bpf::st(slot);
    }
    if !rng.chance(8) {
        p[len - 1] = if rng.chance(50) {
            bpf::ret_a()
        } else {
            bpf::ret_k(ALLOW)
        };
    }
    p
}

fn ld_pad(n: usize) -> Vec<SockFilter> {
    vec![bpf::ld_imm(0); n]
}

/// Programs aimed at each rule's boundary.
fn targeted() -> Vec<Vec<SockFilter>> {
    let ret = bpf::ret_k(ALLOW);
    let mut v: Vec<Vec<SockFilter>> = Vec::new();

    // Lengths.
    v.push(vec![]);
    v.push(vec![ret]);
    for n in [4095, 4096, 4097, 5000, 65535] {
        let mut p = ld_pad(n - 1);
        p.push(ret);
        v.push(p);
    }
    let mut p = ld_pad(4096);
    p[0] = bpf::ja(4094);
    p[4095] = ret;
    v.push(p.clone());
    p[0] = bpf::ja(4095);
    v.push(p.clone());
    p[0] = bpf::jeq_k(0, 255, 255);
    v.push(p);

    // Loads from seccomp_data, every offset around the end and alignments.
    for k in (0..=72).chain([
        0xffff_f000,
        0xffff_f03c,
        0xffff_f040,
        0xffff_fffc,
        0xfff0_0000,
    ]) {
        v.push(vec![bpf::ld_abs(k), bpf::ret_a()]);
    }
    v.push(vec![bpf::ld_len(), bpf::ldx_len(), bpf::ret_a()]);

    // ALU constants.
    for op in ALU_OPS {
        for k in [0, 1, 31, 32, 33, u32::MAX] {
            v.push(vec![bpf::alu_k(op, k), bpf::ret_a()]);
        }
        v.push(vec![bpf::alu_x(op), bpf::ret_a()]);
    }
    v.push(vec![bpf::neg(), bpf::ret_a()]);

    // Every refused opcode, with operands that would otherwise be fine.
    for code in REFUSED {
        for k in [0, 4] {
            v.push(vec![SockFilter::stmt(code, k), bpf::ret_a()]);
        }
    }
    v.push(vec![
        SockFilter::stmt(LD | H | ABS, 0xffff_f000),
        bpf::ret_a(),
    ]);

    // Scratch slots 15 and 16, for each kind of access.
    for slot in [0, 15, 16, 17, u32::MAX] {
        for insn in [bpf::st(slot), bpf::stx(slot)] {
            v.push(vec![insn, bpf::ret_a()]);
        }
        for read in [bpf::ld_mem(slot), bpf::ldx_mem(slot)] {
            v.push(vec![bpf::st(slot), read, bpf::ret_a()]);
            v.push(vec![bpf::stx(slot), read, bpf::ret_a()]);
            v.push(vec![read, bpf::ret_a()]);
        }
    }

    // Scratch reads after a RET: the running mask carries over.
    v.push(vec![bpf::st(1), ret, bpf::ld_mem(1), bpf::ret_a()]);
    v.push(vec![bpf::st(1), ret, bpf::ld_mem(2), bpf::ret_a()]);
    v.push(vec![ret, bpf::ld_mem(0), bpf::ret_a()]);
    v.push(vec![
        bpf::st(3),
        bpf::ret_a(),
        bpf::st(4),
        ret,
        bpf::ldx_mem(3),
        bpf::ret_a(),
    ]);
    // Unreachable code after a JA may read anything; the target may not.
    v.push(vec![bpf::ja(1), bpf::ld_mem(7), bpf::ret_a()]);
    v.push(vec![bpf::ja(0), bpf::ld_mem(7), bpf::ret_a()]);
    v.push(vec![bpf::st(7), bpf::ja(0), bpf::ld_mem(7), bpf::ret_a()]);
    v.push(vec![
        bpf::st(7),
        bpf::ja(1),
        bpf::ld_mem(6),
        bpf::ld_mem(7),
        bpf::ret_a(),
    ]);
    // Written on one path of a conditional, read where both meet.
    v.push(vec![
        bpf::jeq_k(0, 0, 1),
        bpf::st(2),
        bpf::ld_mem(2),
        bpf::ret_a(),
    ]);
    v.push(vec![
        bpf::st(2),
        bpf::jeq_k(0, 0, 1),
        bpf::st(3),
        bpf::ld_mem(2),
        bpf::ret_a(),
    ]);
    v.push(vec![
        bpf::jeq_k(0, 1, 1),
        bpf::st(2),
        bpf::ld_mem(2),
        bpf::ret_a(),
    ]);
    // Code after a conditional jump that nobody targets.
    v.push(vec![
        bpf::jeq_k(0, 1, 1),
        bpf::ret_a(),
        bpf::ld_mem(9),
        bpf::ret_a(),
    ]);
    v.push(vec![
        bpf::jeq_k(0, 1, 2),
        ret,
        bpf::ld_mem(9),
        bpf::ret_a(),
        bpf::ret_a(),
    ]);
    // A read before any write, at the first instruction.
    v.push(vec![bpf::ld_mem(0), bpf::ret_a()]);

    // Jumps landing on the last instruction, or one past it.
    for len in 2..=6usize {
        for pc in 0..len - 1 {
            for off in [len - pc - 2, len - pc - 1] {
                let mut p = ld_pad(len);
                p[len - 1] = ret;
                p[pc] = bpf::ja(off as u32);
                v.push(p.clone());
                for op in JUMP_OPS {
                    let o = off as u8;
                    p[pc] = SockFilter::jump(JMP | op | K, 7, o, 0);
                    v.push(p.clone());
                    p[pc] = SockFilter::jump(JMP | op | X, 7, 0, o);
                    v.push(p.clone());
                }
            }
        }
    }
    v.push(vec![bpf::ja(u32::MAX), ret]);

    // The last instruction.
    v.push(vec![bpf::ld_imm(0)]);
    v.push(vec![ret, bpf::ld_imm(0)]);
    v.push(vec![ret, SockFilter::stmt(RET | X, 0)]);
    v.push(vec![ret, bpf::ja(0)]);

    // Order of the checks: a generic failure after a seccomp-only one.
    v.push(vec![bpf::ld_abs(64), bpf::alu_k(DIV, 0), bpf::ret_a()]);
    v.push(vec![SockFilter::stmt(ALU | MOD | K, 0), bpf::ret_a()]);
    v
}

/// Every 16-bit opcode in a position where its operands are harmless.
fn opcode_sweep() -> Vec<Vec<SockFilter>> {
    let mut v = Vec::with_capacity(2 * 65536);
    for k in [0, 1] {
        for code in 0..=u16::MAX {
            v.push(vec![
                bpf::st(0),
                bpf::st(1),
                SockFilter::jump(code, k, 0, 0),
                bpf::ret_k(ALLOW),
            ]);
        }
    }
    v
}

/// Mutations of accepted programs: each changes one field of one
/// instruction, so most land right next to a rule's boundary.
fn mutations(rng: &mut Rng, valid: &[Vec<SockFilter>], n: usize) -> Vec<Vec<SockFilter>> {
    let mut v = Vec::with_capacity(n);
    if valid.is_empty() {
        return v;
    }
    while v.len() < n {
        let mut p = valid[rng.below(valid.len() as u64) as usize].clone();
        if p.len() > 300 {
            continue;
        }
        let pc = rng.below(p.len() as u64) as usize;
        let insn = &mut p[pc];
        match rng.below(6) {
            0 => insn.k = insn.k.wrapping_add(1),
            1 => insn.k = insn.k.wrapping_sub(1),
            2 => insn.jt = insn.jt.wrapping_add(1),
            3 => insn.jf = insn.jf.wrapping_add(1),
            4 => insn.code ^= 1 << rng.below(8),
            _ => {
                let l = p.len();
                let i = random_insn(rng, pc, l);
                p[pc] = i;
            }
        }
        v.push(p);
    }
    v
}

// ---------------------------------------------------------------------------
// The tests.

#[test]
fn verify_agrees_with_the_kernel() {
    let t = Instant::now();
    let mut rng = Rng(0x5ecc_0b9f_2024_0001);
    let mut total = 0;

    let fams = targeted();
    total += fams.len();
    let mut valid = check_against_kernel("targeted", &fams, false);

    let random: Vec<_> = (0..8000).map(|_| random_program(&mut rng)).collect();
    total += random.len();
    valid.extend(check_against_kernel("random", &random, false));

    let muts = mutations(&mut rng, &valid, 5000);
    total += muts.len();
    check_against_kernel("mutations", &muts, false);

    println!(
        "verify vs kernel: {total} programs, all agree, {:.2?}",
        t.elapsed()
    );
}

#[test]
fn verify_agrees_with_the_kernel_on_every_opcode() {
    let progs = opcode_sweep();
    let accepted = check_against_kernel("opcode sweep", &progs, true);
    // The accepted codes are exactly seccomp's list, once per k, minus the
    // ones whose operand 0 or 1 is refused (DIV K 0, LD W ABS 1, JA 1).
    assert_eq!(accepted.len(), 2 * SECCOMP_OPCODES.len() - 3);
}

/// Installs copies of `prog` in one child until the kernel refuses one;
/// returns (copies installed, errno of the refusal).
fn copies_until_refused(prog: &[SockFilter]) -> (u32, i32) {
    let shared = Shared::new(RESULTS + 1);
    shared.word(COUNT).store(0, Ordering::SeqCst);
    in_child(&shared, || {
        let mut n = 0u32;
        loop {
            let r = install(prog);
            if r != 0 {
                shared.signed(RESULTS).store(r, Ordering::SeqCst);
                break;
            }
            n += 1;
            shared.word(COUNT).store(n, Ordering::SeqCst);
        }
    });
    (
        shared.word(COUNT).load(Ordering::SeqCst),
        shared.signed(RESULTS).load(Ordering::SeqCst),
    )
}

fn model_copies(charged: u32) -> u32 {
    let mut total = 0;
    let mut n = 0;
    while fits_budget(total, charged) {
        total += charged;
        n += 1;
    }
    n
}

fn with_pad(
    head: &[SockFilter],
    pad: SockFilter,
    n: usize,
    tail: &[SockFilter],
) -> Vec<SockFilter> {
    let mut p = head.to_vec();
    p.extend(std::iter::repeat_n(pad, n));
    p.extend_from_slice(tail);
    p
}

#[test]
fn charged_length_matches_the_kernel_on_stacked_filters() {
    let t = Instant::now();
    let ret = [bpf::ret_k(ALLOW)];
    let allow_a = [bpf::ld_imm(ALLOW), bpf::ret_a()];
    // Every filter allows every call, so the child can go on installing.
    let shapes: Vec<(&str, Vec<SockFilter>)> = vec![
        ("RET K", ret.to_vec()),
        ("LD IMM; RET A", allow_a.to_vec()),
        (
            "JEQ K>0 jt=jf=0 x1",
            with_pad(&[], bpf::jeq_k(5, 0, 0), 1, &ret),
        ),
        (
            "JEQ K<0 jt=jf=0 x1",
            with_pad(&[], bpf::jeq_k(0x8000_0000, 0, 0), 1, &ret),
        ),
        (
            "JEQ K<0 jt=jf=0 x3",
            with_pad(&[], bpf::jeq_k(0xC000_003E, 0, 0), 3, &ret),
        ),
        (
            "JEQ K>0 jt=1 jf=0 x25",
            with_pad(
                &[],
                bpf::jeq_k(5, 1, 0),
                25,
                &[bpf::ld_imm(0), bpf::ret_k(ALLOW)],
            ),
        ),
        (
            "JEQ K>0 jt=0 jf=1 x29",
            with_pad(
                &[],
                bpf::jeq_k(5, 0, 1),
                29,
                &[bpf::ld_imm(0), bpf::ret_k(ALLOW)],
            ),
        ),
        (
            "JEQ K<0 jt=1 jf=1 x10",
            with_pad(
                &[],
                bpf::jeq_k(0xffff_ffff, 1, 1),
                10,
                &[bpf::ld_imm(0), bpf::ret_k(ALLOW)],
            ),
        ),
        (
            "JSET K>0 jt=0 jf=1 x20",
            with_pad(
                &[],
                bpf::jset_k(1, 0, 1),
                20,
                &[bpf::ld_imm(0), bpf::ret_k(ALLOW)],
            ),
        ),
        (
            "JGT X jt=0 jf=1 x20",
            with_pad(
                &[],
                bpf::jgt_x(0, 1),
                20,
                &[bpf::ld_imm(0), bpf::ret_k(ALLOW)],
            ),
        ),
        (
            "JGE K<0 jt=0 jf=1 x7",
            with_pad(
                &[],
                bpf::jge_k(0x8000_0001, 0, 1),
                7,
                &[bpf::ld_imm(0), bpf::ret_k(ALLOW)],
            ),
        ),
        (
            "DIV X x5",
            with_pad(
                &[bpf::ldx_imm(1), bpf::ld_imm(ALLOW)],
                bpf::alu_x(DIV),
                5,
                &[bpf::ret_a()],
            ),
        ),
        (
            "DIV X x1",
            with_pad(
                &[bpf::ldx_imm(1), bpf::ld_imm(ALLOW)],
                bpf::alu_x(DIV),
                1,
                &[bpf::ret_a()],
            ),
        ),
        (
            "ADD K<0 x2",
            with_pad(
                &[bpf::ld_imm(ALLOW)],
                bpf::add_k(0x8000_0000),
                2,
                &[bpf::ret_a()],
            ),
        ),
        (
            "OR K x50",
            with_pad(&[bpf::ld_imm(ALLOW)], bpf::or_k(0), 50, &[bpf::ret_a()]),
        ),
        ("JA 0 x25", with_pad(&[], bpf::ja(0), 25, &ret)),
        (
            "ST; LD MEM; TAX; TXA",
            vec![
                bpf::ld_imm(ALLOW),
                bpf::st(0),
                bpf::ldx_mem(0),
                bpf::txa(),
                bpf::tax(),
                bpf::ret_a(),
            ],
        ),
        (
            "LD ABS; RET K x1000",
            with_pad(&[], bpf::ld_abs(0), 1000, &ret),
        ),
        ("LD LEN x4095", with_pad(&[], bpf::ld_len(), 4095, &ret)),
    ];
    let mut differs_from_plain_division = 0;
    for (name, prog) in &shapes {
        let v = verify(prog).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(v.charged, charged_len(prog));
        let (n, err) = copies_until_refused(prog);
        let model = model_copies(v.charged);
        let plain = CHAIN_BUDGET / v.charged;
        println!(
            "{name}: charged {}, kernel installed {n} copies then errno {err}; model {model}, {} / charged = {plain}",
            v.charged, CHAIN_BUDGET
        );
        assert_eq!(err, libc::ENOMEM, "{name}");
        assert_eq!(n, model, "{name}");
        assert_eq!(n, (CHAIN_BUDGET + FILTER_OVERHEAD) / v.charged, "{name}");
        if plain != n {
            differs_from_plain_division += 1;
        }
    }
    // The boundary is exercised: for some shapes the newest filter's missing
    // overhead is what lets the last copy in.
    assert!(differs_from_plain_division > 0);
    println!(
        "stacked filters: {} shapes, {:.2?}",
        shapes.len(),
        t.elapsed()
    );
}

/// Fillers, all-ALLOW, whose charged lengths add up to `total`.
fn fillers(mut total: u32) -> Vec<Vec<SockFilter>> {
    // [LD IMM x n, RET A] is charged n + 8, for n in 1..=4095.
    let max = 4095 + 8;
    let min = 9;
    let mut out = Vec::new();
    let mut add = |c: u32| {
        out.push(with_pad(
            &[],
            bpf::ld_imm(ALLOW),
            (c - 8) as usize,
            &[bpf::ret_a()],
        ));
    };
    while total > max {
        let c = if total - max >= min { max } else { total - min };
        add(c);
        total -= c;
    }
    assert!(total >= min);
    add(total);
    out
}

#[test]
fn charged_length_is_exact_for_accepted_programs() {
    let t = Instant::now();
    let mut rng = Rng(0x0c4a_12ed_0000_0007);
    let mut progs = Vec::new();
    while progs.len() < 150 {
        let p = random_program(&mut rng);
        if p.len() <= 60 && verify(&p).is_ok() {
            progs.push(p);
        }
    }
    let shared = Shared::new(RESULTS + 1);
    let mut checked = 0;
    for p in &progs {
        let translated = charged_len(p) - FILTER_OVERHEAD;
        // Leave exactly `translated` of budget, then one less.
        for (slack, expect) in [(0, 0), (1, libc::ENOMEM)] {
            let fill = fillers(CHAIN_BUDGET - translated + slack);
            shared.signed(RESULTS).store(-1, Ordering::SeqCst);
            in_child(&shared, || {
                for f in &fill {
                    if install(f) != 0 {
                        return;
                    }
                }
                shared.signed(RESULTS).store(install(p), Ordering::SeqCst);
            });
            let r = shared.signed(RESULTS).load(Ordering::SeqCst);
            assert_eq!(r, expect, "translated {translated}, slack {slack}: {p:?}");
        }
        checked += 1;
    }
    println!(
        "exact charged length: {checked} programs, 2 probes each, {:.2?}",
        t.elapsed()
    );
}

#[test]
fn max_insns_is_the_kernel_limit() {
    assert_eq!(MAX_INSNS, 4096);
    let mut p = ld_pad(MAX_INSNS);
    p[MAX_INSNS - 1] = bpf::ret_k(ALLOW);
    let (r, _) = kernel_verdicts(&[p.clone()], false);
    assert_eq!(r, [0]);
    p.insert(0, bpf::ld_imm(0));
    let (r, _) = kernel_verdicts(&[p], false);
    assert_eq!(r, [libc::EINVAL]);
}
