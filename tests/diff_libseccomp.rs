//! Differential test against libseccomp (2.5, through the `libseccomp`
//! crate): the same random policies compiled by this crate and by
//! libseccomp, both programs run through this crate's interpreter on the
//! same calls, must give the same action. libseccomp's programs must also
//! pass `verify`.
//!
//! The policies are drawn from the shapes both libraries define the same
//! way. What is left out, and why (each a difference of definition, not a
//! bug on either side):
//!
//! 1. **Overlapping rules with different actions on one call.** This crate
//!    picks the matching rule whose action the kernel ranks first
//!    (`KILL_PROCESS > ... > ALLOW`). libseccomp builds one decision tree
//!    per call, argument by argument, and the leaf reached first wins, so
//!    its answer depends on which argument the rules test first. The test
//!    gives all rules on one call the same action (`one_action_per_call`);
//!    [`libseccomp_precedence_differs`] shows a case where they part.
//! 2. **A rule whose action is the default action.** libseccomp refuses it
//!    (`EACCES`: "rule action equals the default action"); with one action
//!    per call it changes nothing here either, so it is not given to
//!    libseccomp ([`libseccomp_refuses_default_action_rules`]).
//! 3. **Two conditions on the same argument in one rule.** libseccomp 2.5
//!    refuses them (`EINVAL`), so rules here use distinct arguments, and
//!    `InRange` (two comparisons on one argument) is not drawn.
//! 4. **`Width::Low32`.** libseccomp 2.5 has no 32-bit comparison on a
//!    64-bit ABI; it is not drawn.
//! 5. **Constants above `u32::MAX` on a 32-bit ABI.** This crate refuses
//!    them (`ConstantTooWide`); libseccomp compares the low word only. Such
//!    policies only get 32-bit constants. **x32**: libseccomp treats it as
//!    a 32-bit ABI and compares the low words only; this crate compares
//!    whole registers there (x32 passes 64-bit values in one register, and
//!    the kernel hands the filter all 64 bits). x32 policies get 32-bit
//!    constants and calls with zero upper halves
//!    ([`libseccomp_compares_low_words_on_x32`]).
//! 6. **`AnyOf`** has no libseccomp operator: it is given to libseccomp as
//!    one `EQ` rule per value (same action, so same meaning); an empty set
//!    never matches and is given as no rule. `AllSet(b)` is
//!    `MASKED_EQ(b, b)`, `NoneSet(b)` is `MASKED_EQ(b, 0)`. A `MaskedEq`
//!    whose value has bits outside its mask never holds here, while
//!    libseccomp masks the value as well (`arg & m == v & m`): such a
//!    rule is given as no rule ([`libseccomp_masks_the_value_of_masked_eq`]).
//! 7. **`TRAP` data.** libseccomp's `SCMP_ACT_TRAP` has none: only `Trap(0)`.
//! 8. **Multiplexed and renumbered calls.** libseccomp rewrites socket and
//!    IPC calls into `socketcall`/`ipc` on x86 and others, and its syscall
//!    tables are its own. Only calls whose number is the same in both
//!    tables on every ABI of the policy (or absent from both) are used,
//!    from a pool without the socket and IPC families.
//! 9. **ABIs.** libseccomp 2.5 has no riscv32, csky or xtensa, and refuses
//!    to mix byte orders in one filter; the ABI sets below respect that.
//! 10. **`nr == -1` on x86_64.** The kernel shows -1 for a call a tracer
//!     skipped; it is in x32's range (`>= 0x40000000`), so this crate
//!     gives it the bad-arch action unless x32 is listed. libseccomp lets
//!     -1 through to the rules, where it matches none: the default action.
//! 11. **libseccomp 2.5.4 miscompiles some policies** (its bug): its
//!     program can compare a stale accumulator, a jump landing after the
//!     load it needed. Two rules on one call that test the same argument
//!     at different places of their chains do it
//!     ([`libseccomp_stale_accumulator`]), so the random policies test no
//!     argument in two rules of one call (`disjoint_args_per_call`). It
//!     also happens without that: with aarch64 and arm in one filter, the
//!     arm block once compared the arch value with syscall numbers (no
//!     `A = nr` after the arch test). So on a difference the test checks
//!     that this crate's filter does what `Policy::evaluate` says (else it
//!     fails: our bug), counts the policy as one libseccomp got wrong,
//!     prints it, and fails if that is more than one policy in ten.
//! 12. **libseccomp 2.5.4 hangs on some policies** (its bug): building
//!     the program never ends (seen on mips64 with an `AnyOf` expanded
//!     into three rules next to a three-condition rule on another call).
//!     libseccomp runs on a thread with a time limit; a policy it does not
//!     finish is printed and skipped, and the test fails if that happens to
//!     more than one policy in twenty.

#![cfg(all(target_os = "linux", target_env = "gnu"))]

mod randpol;

use std::io::{Read, Seek};

use libseccomp::{
    ScmpAction, ScmpArch, ScmpArgCompare, ScmpCompareOp, ScmpFilterContext, ScmpSyscall,
};
use randpol::{CmpS, CondS, Rng, Shape, Spec, TargetS, draw};
use seccomp_bpf::bpf::{self, SockFilter};
use seccomp_bpf::{Abi, Action, ByteOrder, Filter, SeccompData, Syscall, compile};

fn scmp_arch(abi: Abi) -> ScmpArch {
    match abi {
        Abi::X86_64 => ScmpArch::X8664,
        Abi::X86 => ScmpArch::X86,
        Abi::X32 => ScmpArch::X32,
        Abi::Aarch64 => ScmpArch::Aarch64,
        Abi::Arm => ScmpArch::Arm,
        Abi::S390x => ScmpArch::S390X,
        Abi::S390 => ScmpArch::S390,
        Abi::Ppc64 => ScmpArch::Ppc64,
        Abi::Ppc64le => ScmpArch::Ppc64Le,
        Abi::Ppc => ScmpArch::Ppc,
        Abi::Mips => ScmpArch::Mips,
        Abi::Mips64 => ScmpArch::Mips64,
        Abi::Mipsel64 => ScmpArch::Mipsel64,
        Abi::Riscv64 => ScmpArch::Riscv64,
        Abi::Loongarch64 => ScmpArch::Loongarch64,
        Abi::Parisc64 => ScmpArch::Parisc64,
        other => panic!("no libseccomp arch for {other}"),
    }
}

fn scmp_action(a: Action) -> ScmpAction {
    match a {
        Action::KillProcess => ScmpAction::KillProcess,
        Action::KillThread => ScmpAction::KillThread,
        Action::Trap(0) => ScmpAction::Trap,
        Action::Errno(e) => ScmpAction::Errno(e as i32),
        Action::UserNotif => ScmpAction::Notify,
        Action::Trace(d) => ScmpAction::Trace(d),
        Action::Log => ScmpAction::Log,
        Action::Allow => ScmpAction::Allow,
        other => panic!("no libseccomp action for {other}"),
    }
}

/// The libseccomp comparisons for one condition; `None` for an `AnyOf`
/// (expanded into several rules by the caller).
fn scmp_cmp(c: &CondS) -> Option<ScmpArgCompare> {
    let arg = c.arg as u32;
    let (op, datum) = match c.cmp {
        CmpS::Eq(v) => (ScmpCompareOp::Equal, v),
        CmpS::Ne(v) => (ScmpCompareOp::NotEqual, v),
        CmpS::Lt(v) => (ScmpCompareOp::Less, v),
        CmpS::Le(v) => (ScmpCompareOp::LessOrEqual, v),
        CmpS::Gt(v) => (ScmpCompareOp::Greater, v),
        CmpS::Ge(v) => (ScmpCompareOp::GreaterEqual, v),
        CmpS::MaskedEq(m, v) => (ScmpCompareOp::MaskedEqual(m), v),
        CmpS::AllSet(b) => (ScmpCompareOp::MaskedEqual(b), b),
        CmpS::NoneSet(b) => (ScmpCompareOp::MaskedEqual(b), 0),
        CmpS::AnyOf(_) => return None,
        CmpS::InRange(..) => panic!("InRange is not drawn for libseccomp"),
    };
    Some(ScmpArgCompare::new(arg, op, datum))
}

/// Compiles `spec` with libseccomp and returns its program.
fn libseccomp_filter(spec: &Spec) -> Vec<SockFilter> {
    let mut ctx = ScmpFilterContext::new(scmp_action(spec.default)).unwrap();
    // The native arch goes first: libseccomp refuses to mix byte orders.
    let native = ScmpArch::native();
    if !spec.abis.iter().any(|&a| scmp_arch(a) == native) {
        ctx.remove_arch(native).unwrap();
    }
    for abi in &spec.abis {
        if !ctx.is_arch_present(scmp_arch(*abi)).unwrap() {
            ctx.add_arch(scmp_arch(*abi)).unwrap();
        }
    }
    ctx.set_act_badarch(scmp_action(spec.bad_arch)).unwrap();
    for r in &spec.rules {
        let TargetS::Sys(call) = r.target else {
            panic!("raw numbers are not drawn for libseccomp")
        };
        if r.action == spec.default {
            continue; // difference 2
        }
        // Difference 6: a MaskedEq with value bits outside the mask never
        // holds here; libseccomp would mask the value. No rule then.
        if r.conds
            .iter()
            .any(|c| matches!(c.cmp, CmpS::MaskedEq(m, v) if v & !m != 0))
        {
            continue;
        }
        // Expand AnyOf conditions into one rule per combination of values.
        let mut combos: Vec<Vec<ScmpArgCompare>> = vec![Vec::new()];
        for c in &r.conds {
            match (&c.cmp, scmp_cmp(c)) {
                (_, Some(cmp)) => combos.iter_mut().for_each(|v| v.push(cmp)),
                (CmpS::AnyOf(vs), None) => {
                    combos = combos
                        .iter()
                        .flat_map(|v| {
                            vs.iter().map(move |&x| {
                                let mut v = v.clone();
                                v.push(ScmpArgCompare::new(c.arg as u32, ScmpCompareOp::Equal, x));
                                v
                            })
                        })
                        .collect();
                }
                _ => unreachable!(),
            }
        }
        let sys = ScmpSyscall::from_name(call.name()).unwrap();
        for cmps in combos {
            ctx.add_rule_conditional(scmp_action(r.action), sys, &cmps)
                .unwrap_or_else(|e| panic!("libseccomp refused {r:?} as {cmps:?}: {e}"));
        }
    }
    export(&ctx, spec.abis[0].byte_order())
}

/// libseccomp's program for `ctx`, written in the byte order of its
/// arches (`order`).
fn export(ctx: &ScmpFilterContext, order: ByteOrder) -> Vec<SockFilter> {
    let mut file = tempfile();
    ctx.export_bpf(&file).unwrap();
    let mut bytes = Vec::new();
    file.rewind().unwrap();
    file.read_to_end(&mut bytes).unwrap();
    assert_eq!(bytes.len() % 8, 0);
    bytes
        .chunks_exact(8)
        .map(|c| SockFilter::from_bytes(c.try_into().unwrap(), order))
        .collect()
}

/// An unlinked file to export into.
fn tempfile() -> std::fs::File {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "diff-libseccomp-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    f
}

/// Calls of the pool whose numbers both libraries agree on for every ABI
/// of `abis` (difference 8).
fn agreed_calls(abis: &[Abi]) -> Vec<Syscall> {
    const POOL: &[&str] = &[
        "read",
        "write",
        "close",
        "getpid",
        "getppid",
        "gettid",
        "openat",
        "mmap",
        "munmap",
        "mprotect",
        "ioctl",
        "fcntl",
        "prctl",
        "kill",
        "tgkill",
        "dup",
        "dup3",
        "lseek",
        "pread64",
        "pwrite64",
        "futex",
        "clone",
        "clone3",
        "personality",
        "madvise",
        "getrandom",
        "statx",
        "faccessat2",
        "openat2",
        "close_range",
        "pidfd_open",
        "mount",
        "umask",
        "setuid",
        "ptrace",
        "exit_group",
        "wait4",
        "fchmodat",
        "unshare",
        "setns",
    ];
    POOL.iter()
        .filter_map(|name| {
            let call = Syscall::from_name(name)?;
            let agree = abis.iter().all(|&abi| {
                let theirs = ScmpSyscall::from_name_by_arch(name, scmp_arch(abi))
                    .ok()
                    .map(i32::from)
                    .filter(|&n| n >= 0);
                theirs == call.nr(abi).map(|n| n as i32)
            });
            let anywhere = abis.iter().any(|&abi| call.nr(abi).is_some());
            (agree && anywhere).then_some(call)
        })
        .collect()
}

fn action_of(prog: &[SockFilter], abi: Abi, order: ByteOrder, nr: u32, args: [u64; 6]) -> Action {
    let d = SeccompData::new(nr as i32, abi.audit_arch(), args);
    // Both programs were verified once; run_unverified gives the same
    // result on a verified program without checking it again.
    Action::from_ret(bpf::run_unverified(prog, order, &d).expect("verified").ret)
}

/// Runs both programs on the calls worth trying and returns the number
/// compared, or `Err` with the first call on which libseccomp's program
/// disagrees with what both libraries define (difference 11). Panics if
/// this crate's filter disagrees with `Policy::evaluate`.
fn compare(
    spec: &Spec,
    ours: &[SockFilter],
    theirs: &[SockFilter],
    calls: &[Syscall],
) -> Result<usize, String> {
    let mut n = 0;
    // The policy's ABIs, and one it does not list of the same byte order.
    let order = spec.abis[0].byte_order();
    let mut abis = spec.abis.clone();
    let foreign = [
        Abi::X86_64,
        Abi::X86,
        Abi::Aarch64,
        Abi::S390x,
        Abi::Ppc64,
        Abi::Mips64,
        Abi::X32,
    ]
    .into_iter()
    .find(|a| !abis.contains(a) && a.byte_order() == order);
    abis.extend(foreign);
    for &abi in &abis {
        let mut nrs: Vec<u32> = calls.iter().filter_map(|c| c.nr(abi)).collect();
        let base = abi.syscall_base();
        nrs.extend([
            base,
            base + 1,
            base + 999,
            0x3fff_ffff,
            0x4000_0000,
            0x4000_0001,
            u32::MAX,
        ]);
        for nr in nrs {
            for mut args in spec.probes(abi, nr) {
                if abi.word_bits() == 32 || abi == Abi::X32 {
                    // The kernel zero-fills the upper halves on 32-bit
                    // ABIs; on x32 see difference 5.
                    args.iter_mut().for_each(|a| *a &= 0xffff_ffff);
                }
                let a = action_of(ours, abi, order, nr, args);
                let b = action_of(theirs, abi, order, nr, args);
                let x86_64_arch = spec
                    .abis
                    .iter()
                    .any(|a| matches!(a, Abi::X86_64 | Abi::X32));
                if abi == Abi::X86_64 && nr == u32::MAX && x86_64_arch {
                    // Difference 10: -1 is x32's range here, bad arch
                    // unless x32 is listed; libseccomp lets it through.
                    let want = if spec.abis.contains(&Abi::X32) {
                        spec.default
                    } else {
                        spec.bad_arch
                    };
                    assert_eq!((a, b), (want, spec.default), "nr -1 {spec:?}");
                    continue;
                }
                if a != b {
                    // The shapes drawn mean the same for both libraries, so
                    // the one that does not do what the policy says is wrong.
                    let want = spec.with_policy(|p| p.evaluate(abi, nr, &args)).unwrap();
                    assert_eq!(
                        a,
                        want,
                        "this crate: {abi} nr {nr:#x} args {args:#x?}\npolicy {spec:#?}\n{}",
                        bpf::Disasm::new(ours).abi(abi)
                    );
                    return Err(format!(
                        "{abi} nr {nr:#x} args {args:x?}: libseccomp {b}, policy {want}"
                    ));
                }
                n += 1;
            }
        }
    }
    Ok(n)
}

fn shape(abi_sets: Vec<Vec<Abi>>, calls: Vec<Syscall>) -> Shape {
    Shape {
        abi_sets,
        calls,
        raw_numbers: false,
        actions: vec![
            Action::Allow,
            Action::Errno(1),
            Action::Errno(38),
            Action::KillThread,
            Action::KillProcess,
            Action::Trap(0),
            Action::Trace(5),
            Action::Log,
            Action::UserNotif,
        ],
        // Everything but InRange (difference 3).
        cmps: vec![0, 1, 2, 3, 4, 5, 6, 8, 9, 10],
        low32: false,
        distinct_args: true,
        one_action_per_call: true,
        disjoint_args_per_call: true,
        narrow_x32: true,
        max_rules: 12,
        max_conds: 3,
    }
}

/// Every ABI set both libraries support: policies, calls compared.
/// What [`run_sets`] saw.
struct Counts {
    /// Policies on which both agreed on every call.
    agreed: usize,
    /// Calls compared on those.
    calls: usize,
    /// Policies libseccomp did not finish (difference 12).
    hangs: Vec<Spec>,
    /// Policies on which libseccomp's program is wrong (difference 11),
    /// with the first call that shows it.
    wrong: Vec<(Spec, String)>,
}

fn run_sets(sets: &[&[Abi]], per_set: usize, seed: u64) -> Counts {
    let mut rng = Rng(seed);
    let (mut policies, mut calls_compared) = (0, 0);
    let mut hangs = Vec::new();
    let mut wrong = Vec::new();
    for set in sets {
        let calls = agreed_calls(set);
        assert!(
            calls.len() >= 10,
            "{set:?}: only {} calls agree",
            calls.len()
        );
        let sh = shape(vec![set.to_vec()], calls.clone());
        for _ in 0..per_set {
            let spec = draw(&mut rng, &sh);
            let ours: Filter<4096> = spec.with_policy(compile).expect("policy compiles");
            bpf::verify(&ours).unwrap();
            let Some(theirs) = libseccomp_filter_within(&spec, HANG) else {
                hangs.push(spec);
                continue;
            };
            bpf::verify(&theirs).unwrap_or_else(|e| panic!("libseccomp's program: {e}"));
            match compare(&spec, &ours, &theirs, &calls) {
                Ok(n) => {
                    calls_compared += n;
                    policies += 1;
                }
                Err(call) => wrong.push((spec, call)),
            }
        }
    }
    Counts {
        agreed: policies,
        calls: calls_compared,
        hangs,
        wrong,
    }
}

/// Prints the counts and the policies libseccomp failed on; fails if
/// that is more than a few.
fn report(what: &str, c: &Counts) {
    eprintln!(
        "{what}: {} policies agree on all {} calls tried; libseccomp hung on {}, \
         miscompiled {}",
        c.agreed,
        c.calls,
        c.hangs.len(),
        c.wrong.len()
    );
    for h in &c.hangs {
        eprintln!("  hang: {h:?}");
    }
    for (spec, call) in &c.wrong {
        eprintln!("  wrong: {call}\n    {spec:?}");
    }
    assert!(c.hangs.len() * 20 <= c.agreed, "libseccomp hung too often");
    assert!(
        c.wrong.len() * 10 <= c.agreed,
        "libseccomp was wrong too often"
    );
}

/// How long libseccomp may take for one policy (it takes milliseconds
/// when it does not hang; see difference 12).
const HANG: std::time::Duration = std::time::Duration::from_secs(5);

/// [`libseccomp_filter`] on a thread, or `None` when it has not finished
/// within `limit`. The thread is left spinning: libseccomp cannot be
/// interrupted, and the test process ends soon after.
fn libseccomp_filter_within(spec: &Spec, limit: std::time::Duration) -> Option<Vec<SockFilter>> {
    let (tx, rx) = std::sync::mpsc::channel();
    let spec = spec.clone();
    std::thread::spawn(move || {
        let _ = tx.send(libseccomp_filter(&spec));
    });
    rx.recv_timeout(limit).ok()
}

#[test]
fn little_endian_abis_agree() {
    const PER_SET: usize = 40;
    let sets: &[&[Abi]] = &[
        &[Abi::X86_64],
        &[Abi::X86],
        &[Abi::X32],
        &[Abi::Aarch64],
        &[Abi::Arm],
        &[Abi::X86_64, Abi::X86],
        &[Abi::X86_64, Abi::X32],
        &[Abi::X86_64, Abi::X86, Abi::X32],
        &[Abi::Aarch64, Abi::Arm],
        &[Abi::Riscv64],
    ];
    let c = run_sets(sets, PER_SET, 0x5eed_0001);
    report("little endian", &c);
    assert_eq!(
        c.agreed + c.hangs.len() + c.wrong.len(),
        sets.len() * PER_SET
    );
}

#[test]
fn big_endian_abis_agree() {
    const PER_SET: usize = 30;
    let sets: &[&[Abi]] = &[
        &[Abi::S390x],
        &[Abi::S390x, Abi::S390],
        &[Abi::Ppc64],
        &[Abi::Ppc],
        &[Abi::Mips64],
        &[Abi::Mips],
    ];
    let c = run_sets(sets, PER_SET, 0x5eed_0002);
    report("big endian", &c);
    assert_eq!(
        c.agreed + c.hangs.len() + c.wrong.len(),
        sets.len() * PER_SET
    );
}

/// Difference 1: overlapping rules with different actions. This crate
/// applies the kernel's precedence (ERRNO before ALLOW, whichever rule
/// comes first); libseccomp 2.5 decides by its tree, which here tests the
/// higher argument first, whatever the order the rules were added in.
#[test]
fn libseccomp_precedence_differs() {
    use randpol::RuleS;
    let rule = |arg, v, action| RuleS {
        target: TargetS::Sys(Syscall::ioctl),
        conds: vec![CondS {
            arg,
            low32: false,
            cmp: CmpS::Eq(v),
        }],
        action,
    };
    for rules in [
        vec![rule(0, 1, Action::Errno(1)), rule(1, 2, Action::Allow)],
        vec![rule(1, 2, Action::Allow), rule(0, 1, Action::Errno(1))],
    ] {
        let spec = Spec {
            default: Action::Errno(38),
            bad_arch: Action::KillProcess,
            abis: vec![Abi::X86_64],
            log_mode: false,
            rules,
        };
        let ours: Filter<64> = spec.with_policy(compile).unwrap();
        let theirs = libseccomp_filter(&spec);
        let ioctl = Syscall::ioctl.nr(Abi::X86_64).unwrap();
        let run = |prog: &[SockFilter], args| {
            action_of(prog, Abi::X86_64, ByteOrder::Little, ioctl, args)
        };
        // Only one rule matches: both agree.
        for (args, want) in [
            ([1, 0, 0, 0, 0, 0], Action::Errno(1)),
            ([0, 2, 0, 0, 0, 0], Action::Allow),
        ] {
            assert_eq!(run(&ours, args), want);
            assert_eq!(run(&theirs, args), want);
        }
        // Both match: ERRNO precedes ALLOW for this crate (and for the
        // kernel, were they two filters); libseccomp's tree says ALLOW.
        assert_eq!(run(&ours, [1, 2, 0, 0, 0, 0]), Action::Errno(1));
        assert_eq!(run(&theirs, [1, 2, 0, 0, 0, 0]), Action::Allow);
    }
}

/// Difference 6: a `MaskedEq` whose value has bits outside its mask
/// never holds here (`arg & mask == value` cannot be true); libseccomp
/// masks the value too, `arg & mask == value & mask`.
#[test]
fn libseccomp_masks_the_value_of_masked_eq() {
    let mut ctx = ScmpFilterContext::new(ScmpAction::Errno(1)).unwrap();
    ctx.add_arch(ScmpArch::X8664).unwrap();
    let read = ScmpSyscall::from_name("read").unwrap();
    let cmp = [ScmpArgCompare::new(
        0,
        ScmpCompareOp::MaskedEqual(0x0f),
        0x13,
    )];
    ctx.add_rule_conditional(ScmpAction::Allow, read, &cmp)
        .unwrap();
    let theirs = export(&ctx, ByteOrder::Little);
    let spec = Spec {
        default: Action::Errno(1),
        bad_arch: Action::KillProcess,
        abis: vec![Abi::X86_64],
        log_mode: false,
        rules: vec![randpol::RuleS {
            target: TargetS::Sys(Syscall::read),
            conds: vec![CondS {
                arg: 0,
                low32: false,
                cmp: CmpS::MaskedEq(0x0f, 0x13),
            }],
            action: Action::Allow,
        }],
    };
    let ours: Filter<64> = spec.with_policy(compile).unwrap();
    let run = |prog: &[SockFilter], a0| {
        action_of(prog, Abi::X86_64, ByteOrder::Little, 0, [a0, 0, 0, 0, 0, 0])
    };
    for a0 in [0x3, 0x13, 0xf3] {
        assert_eq!(run(&ours, a0), Action::Errno(1));
        assert_eq!(run(&theirs, a0), Action::Allow);
    }
    assert_eq!(run(&theirs, 0x4), Action::Errno(1));
}

/// Difference 2: libseccomp refuses a rule whose action is the default.
#[test]
fn libseccomp_refuses_default_action_rules() {
    let mut ctx = ScmpFilterContext::new(ScmpAction::Errno(1)).unwrap();
    let read = ScmpSyscall::from_name("read").unwrap();
    assert!(ctx.add_rule(ScmpAction::Errno(1), read).is_err());
    assert!(ctx.add_rule(ScmpAction::Allow, read).is_ok());
}

/// Difference 3: two comparisons on one argument in one rule.
#[test]
fn libseccomp_refuses_two_conditions_on_one_argument() {
    let mut ctx = ScmpFilterContext::new(ScmpAction::Errno(1)).unwrap();
    let read = ScmpSyscall::from_name("read").unwrap();
    let cmps = [
        ScmpArgCompare::new(0, ScmpCompareOp::GreaterEqual, 3),
        ScmpArgCompare::new(0, ScmpCompareOp::LessOrEqual, 9),
    ];
    assert!(
        ctx.add_rule_conditional(ScmpAction::Allow, read, &cmps)
            .is_err()
    );
}

/// Difference 11, libseccomp's bug: rule A tests arg3 then arg0, rule B
/// tests arg0 then arg4. The call below matches A (arg3 > C, arg0 < D), and
/// this crate kills; libseccomp's program, after B's arg4 test fails,
/// jumps into A's arg0 test without reloading arg0 and compares arg4's low
/// word instead, so it returns the default action. (This test fails when
/// libseccomp fixes it; then drop `disjoint_args_per_call`.)
#[test]
fn libseccomp_stale_accumulator() {
    use randpol::RuleS;
    let rule = |conds: Vec<CondS>| RuleS {
        target: TargetS::Sys(Syscall::gettid),
        conds,
        action: Action::KillProcess,
    };
    let c = |arg, cmp| CondS {
        arg,
        low32: false,
        cmp,
    };
    let spec = Spec {
        default: Action::UserNotif,
        bad_arch: Action::KillThread,
        abis: vec![Abi::X86_64],
        log_mode: false,
        rules: vec![
            rule(vec![
                c(3, CmpS::Gt(0x4608_a274_3fb9_24ee)),
                c(0, CmpS::Lt(1 << 54)),
            ]),
            rule(vec![c(0, CmpS::Le(14)), c(4, CmpS::Gt(0xcd14_9514))]),
        ],
    };
    let ours: Filter<64> = spec.with_policy(compile).unwrap();
    let theirs = libseccomp_filter(&spec);
    let gettid = Syscall::gettid.nr(Abi::X86_64).unwrap();
    let args = [14, 0, 0, 0x4608_a274_3fb9_24ef, 0xcd14_9514, 0];
    let want = spec
        .with_policy(|p| p.evaluate(Abi::X86_64, gettid, &args))
        .unwrap();
    assert_eq!(want, Action::KillProcess);
    assert_eq!(
        action_of(&ours, Abi::X86_64, ByteOrder::Little, gettid, args),
        want
    );
    assert_eq!(
        action_of(&theirs, Abi::X86_64, ByteOrder::Little, gettid, args),
        Action::UserNotif
    );
}

/// Difference 5 on x32: libseccomp compares only the low word.
#[test]
fn libseccomp_compares_low_words_on_x32() {
    use randpol::RuleS;
    let spec = Spec {
        default: Action::Errno(38),
        bad_arch: Action::KillProcess,
        abis: vec![Abi::X32],
        log_mode: false,
        rules: vec![RuleS {
            target: TargetS::Sys(Syscall::madvise),
            conds: vec![CondS {
                arg: 1,
                low32: false,
                cmp: CmpS::Eq(7),
            }],
            action: Action::Errno(1),
        }],
    };
    let ours: Filter<64> = spec.with_policy(compile).unwrap();
    let theirs = libseccomp_filter(&spec);
    let nr = Syscall::madvise.nr(Abi::X32).unwrap();
    let run = |prog: &[SockFilter], a1| {
        action_of(prog, Abi::X32, ByteOrder::Little, nr, [0, a1, 0, 0, 0, 0])
    };
    assert_eq!(
        (run(&ours, 7), run(&theirs, 7)),
        (Action::Errno(1), Action::Errno(1))
    );
    assert_eq!(run(&ours, 0x1_0000_0007), Action::Errno(38));
    assert_eq!(run(&theirs, 0x1_0000_0007), Action::Errno(1));
}
