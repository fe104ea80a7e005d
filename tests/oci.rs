//! OCI profiles read as runc reads them: podman's default profile against
//! the independently generated rules of `tests/podman`, the compiled filter
//! against the policy's evaluator, runc's argument-splitting rule, and the
//! JSON path of every refusal.
#![cfg(feature = "oci")]

mod podman;

use std::path::PathBuf;

use seccomp_bpf::bpf;
use seccomp_bpf::oci::{KernelVersion, OciErrorKind, Options, Profile};
use seccomp_bpf::policy::{Cmp, Cond, Policy, Rule, Target};
use seccomp_bpf::{Abi, Action, SeccompData, Syscall, compile, syscall};

/// podman's default profile, from the `shared/` folder beside the
/// checkout (or above the worktree). Missing: `None`, unless under CI.
fn podman_json() -> Option<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for dir in root.ancestors().skip(1) {
        let path = dir.join("shared/profiles/podman-default.json");
        if let Ok(text) = std::fs::read_to_string(&path) {
            return Some(text);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "shared/profiles/podman-default.json not found above {}",
        root.display()
    );
    println!("skipped: shared/profiles/podman-default.json not found");
    None
}

fn nr(call: Syscall, abi: Abi) -> u32 {
    call.nr(abi).unwrap()
}

fn x64() -> Options {
    Options::new().abis(&[Abi::X86_64])
}

#[test]
fn podman_without_caps_gives_the_generated_rules() {
    let Some(json) = podman_json() else { return };
    let profile = Profile::from_json(&json, &x64().skip_unknown(true)).unwrap();
    assert_eq!(profile.default_action(), podman::DEFAULT);
    assert_eq!(profile.default_action(), Action::Errno(38));
    assert_eq!(profile.abis(), &[Abi::X86_64]);
    let rules = profile.rules();
    assert_eq!(rules.as_slice().len(), podman::RULES.len());
    for (i, (got, want)) in rules.as_slice().iter().zip(&podman::RULES).enumerate() {
        assert_eq!(got, want, "rule {i} ({:?})", profile.rule_path(i));
    }
    let skipped: Vec<(&str, &str)> = profile
        .skipped()
        .iter()
        .map(|s| (s.name.as_str(), s.path.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [
            ("bdflush", "syscalls[0].names[0]"),
            ("nfsservctl", "syscalls[0].names[6]"),
            ("uselib", "syscalls[0].names[22]"),
            ("query_module", "syscalls[19].names[3]"),
        ]
    );
    // Strict, the first unknown name is refused where it is.
    let e = Profile::from_json(&json, &x64().skip_unknown(false)).unwrap_err();
    assert_eq!(e.path(), "syscalls[0].names[0]");
    assert_eq!(e.kind(), &OciErrorKind::UnknownSyscall("bdflush".into()));
    assert_eq!(
        e.to_string(),
        "syscalls[0].names[0]: unknown system call \"bdflush\" (no ABI has it)"
    );
}

#[test]
fn podman_with_cap_sys_admin() {
    let Some(json) = podman_json() else { return };
    let plain = Profile::from_json(&json, &x64().skip_unknown(true)).unwrap();
    let admin =
        Profile::from_json(&json, &x64().skip_unknown(true).caps(&["CAP_SYS_ADMIN"])).unwrap();
    let (plain_rules, admin_rules) = (plain.rules(), admin.rules());
    let (p, a) = (plain_rules.policy(), admin_rules.policy());
    let sys_admin = [
        Syscall::bpf,
        Syscall::fanotify_init,
        Syscall::lookup_dcookie,
        Syscall::perf_event_open,
        Syscall::quotactl,
        Syscall::setdomainname,
        Syscall::sethostname,
        Syscall::setns,
    ];
    // The eight calls swap an ERRNO(1) rule for an ALLOW rule (setns
    // already has one in the general list).
    assert_eq!(admin.len(), plain.len());
    let minus = |a: &[Rule<'_>], b: &[Rule<'_>]| -> Vec<(Syscall, Action)> {
        a.iter()
            .filter(|r| !b.contains(r))
            .map(|r| match r.target {
                Target::Syscall(s) => (s, r.action),
                other => panic!("{other:?}"),
            })
            .collect()
    };
    let added = minus(admin_rules.as_slice(), plain_rules.as_slice());
    let removed = minus(plain_rules.as_slice(), admin_rules.as_slice());
    let expect = |action, skip: Option<Syscall>| -> Vec<(Syscall, Action)> {
        sys_admin
            .iter()
            .filter(|&&c| Some(c) != skip)
            .map(|&c| (c, action))
            .collect()
    };
    assert_eq!(added, expect(Action::Allow, Some(Syscall::setns)));
    assert_eq!(removed, expect(Action::Errno(1), None));
    for call in sys_admin {
        let n = nr(call, Abi::X86_64);
        assert_eq!(p.evaluate(Abi::X86_64, n, &[0; 6]), Ok(Action::Errno(1)));
        assert_eq!(a.evaluate(Abi::X86_64, n, &[0; 6]), Ok(Action::Allow));
    }
    // Nothing else changes, whatever the call.
    for &(n, call) in syscall::table(Abi::X86_64) {
        if !sys_admin.contains(&call) {
            let args = [16, 3, 9, 0, 0, 0];
            assert_eq!(
                p.evaluate(Abi::X86_64, n, &args),
                a.evaluate(Abi::X86_64, n, &args),
                "{call}"
            );
        }
    }
    // Another capability changes other calls only.
    let chroot =
        Profile::from_json(&json, &x64().skip_unknown(true).caps(&["sys_chroot"])).unwrap();
    let chroot_rules = chroot.rules();
    let c = chroot_rules.policy();
    let n = nr(Syscall::chroot, Abi::X86_64);
    assert_eq!(p.evaluate(Abi::X86_64, n, &[0; 6]), Ok(Action::Errno(1)));
    assert_eq!(c.evaluate(Abi::X86_64, n, &[0; 6]), Ok(Action::Allow));
    let bpf_nr = nr(Syscall::bpf, Abi::X86_64);
    assert_eq!(
        c.evaluate(Abi::X86_64, bpf_nr, &[0; 6]),
        Ok(Action::Errno(1))
    );
}

/// Argument vectors around every condition of every conditional rule of
/// `policy` that applies on `abi`: each argument the rule tests at, just
/// below and just above its constant, with the upper half flipped, and at
/// 0 and all ones, the others at their own constants.
fn probes(policy: &Policy, abi: Abi) -> Vec<(u32, [u64; 6])> {
    let mut out = Vec::new();
    for rule in policy.rules() {
        if rule.conds.is_empty() {
            continue;
        }
        let Ok(Some(n)) = rule.nr_on(0, abi) else {
            continue;
        };
        let mut base = [0u64; 6];
        for c in rule.conds {
            base[usize::from(c.arg)] = constant(c);
        }
        out.push((n, base));
        for c in rule.conds {
            let k = constant(c);
            let mut values = vec![
                k.wrapping_sub(1),
                k,
                k.wrapping_add(1),
                k ^ (1 << 32),
                0,
                u64::MAX,
            ];
            if let Cmp::MaskedEq { mask, value } = c.cmp {
                values.extend([value | !mask, value ^ (mask & mask.wrapping_neg())]);
            }
            for v in values {
                let mut args = base;
                args[usize::from(c.arg)] = v;
                out.push((n, args));
            }
        }
    }
    out
}

fn constant(c: &Cond) -> u64 {
    match c.cmp {
        Cmp::Eq(v) | Cmp::Ne(v) | Cmp::Lt(v) | Cmp::Le(v) | Cmp::Gt(v) | Cmp::Ge(v) => v,
        Cmp::MaskedEq { value, .. } => value,
        other => panic!("not an OCI comparison: {other:?}"),
    }
}

/// The compiled filter and the policy's evaluator agree on every number
/// of each ABI's table (and some beyond it) with zero arguments, and
/// around the constants of the conditional rules.
fn agrees(policy: &Policy) -> usize {
    let filter = compile::<1024>(policy).unwrap();
    bpf::verify(&filter).unwrap();
    let mut checked = 0;
    for &abi in policy.abis() {
        let order = abi.byte_order();
        let table = syscall::table(abi);
        let mut calls: Vec<(u32, [u64; 6])> = table.iter().map(|&(n, _)| (n, [0; 6])).collect();
        let top = table.last().unwrap().0;
        calls.extend((1..=20).map(|d| (top + d, [0; 6])));
        calls.extend(probes(policy, abi));
        for (n, args) in calls {
            let data = SeccompData::new(n as i32, abi.audit_arch(), args);
            let got = bpf::run(&filter, order, &data).unwrap().action();
            let want = policy.evaluate(abi, n, &args).unwrap();
            assert_eq!(got, want, "{abi} nr {n} args {args:x?}");
            checked += 1;
        }
    }
    checked
}

#[test]
fn podman_compiled_agrees_with_the_evaluator() {
    let Some(json) = podman_json() else { return };
    let profile = Profile::from_json(&json, &x64().skip_unknown(true)).unwrap();
    let rules = profile.rules();
    assert!(agrees(&rules.policy()) > 370);
    // The archMap entry of x86_64: x86_64, then i386 and x32.
    let opts = Options::new().native(Abi::X86_64).skip_unknown(true);
    let family = Profile::from_json(&json, &opts).unwrap();
    assert_eq!(family.abis(), &[Abi::X86_64, Abi::X86, Abi::X32]);
    let rules = family.rules();
    let policy = rules.policy();
    agrees(&policy);
    // includes.arches is judged against x86_64 alone: arch_prctl is
    // allowed on x32 too (its entry lists amd64), and i386's
    // modify_ldt as well.
    let arch_prctl = nr(Syscall::arch_prctl, Abi::X32);
    assert_eq!(
        policy.evaluate(Abi::X32, arch_prctl, &[0; 6]),
        Ok(Action::Allow)
    );
    let ldt = nr(Syscall::modify_ldt, Abi::X86);
    assert_eq!(policy.evaluate(Abi::X86, ldt, &[0; 6]), Ok(Action::Allow));
    // With CAP_SYS_ADMIN too, and in log mode.
    let admin = Profile::from_json(&json, &opts.caps(&["CAP_SYS_ADMIN"])).unwrap();
    let rules = admin.rules();
    agrees(&rules.policy());
    agrees(&rules.policy().log_mode(true));
}

#[test]
fn podman_arches_on_other_natives() {
    let Some(json) = podman_json() else { return };
    let arm = Profile::from_json(
        &json,
        &Options::new().native(Abi::Aarch64).skip_unknown(true),
    )
    .unwrap();
    assert_eq!(arm.abis(), &[Abi::Aarch64, Abi::Arm]);
    let rules = arm.rules();
    let policy = rules.policy();
    // Entry 8 (includes arm, arm64) applies: arm's private cacheflush.
    let cacheflush = nr(Syscall::cacheflush, Abi::Arm);
    assert_eq!(
        policy.evaluate(Abi::Arm, cacheflush, &[0; 6]),
        Ok(Action::Allow)
    );
    agrees(&policy);
    // No archMap entry for riscv64: riscv64 alone.
    let rv = Profile::from_json(
        &json,
        &Options::new().native(Abi::Riscv64).skip_unknown(true),
    )
    .unwrap();
    assert_eq!(rv.abis(), &[Abi::Riscv64]);
    // Given ABIs win over the archMap, and the first is the native one:
    // with i386 first, arch_prctl's entry (amd64, x32) is left out.
    let x86 = Profile::from_json(
        &json,
        &Options::new()
            .abis(&[Abi::X86, Abi::X86_64])
            .skip_unknown(true),
    )
    .unwrap();
    let rules = x86.rules();
    let p = rules.policy();
    let n = nr(Syscall::arch_prctl, Abi::X86_64);
    assert_eq!(p.evaluate(Abi::X86_64, n, &[0; 6]), Ok(Action::Errno(38)));
    let ldt = nr(Syscall::modify_ldt, Abi::X86);
    assert_eq!(p.evaluate(Abi::X86, ldt, &[0; 6]), Ok(Action::Allow));
}

fn policy_of(json: &str, opts: &Options, f: impl FnOnce(&Profile, &Policy)) {
    let profile = Profile::from_json(json, opts).unwrap();
    let rules = profile.rules();
    f(&profile, &rules.policy());
}

#[test]
fn runc_splits_conditions_on_a_repeated_index() {
    // Index 0 twice: each of the three conditions is a rule of its own.
    let split = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["socket", "bind"], "action": "SCMP_ACT_ALLOW", "args": [
            {"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
            {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"},
            {"index": 1, "value": 3, "op": "SCMP_CMP_EQ"}]}]}"#;
    policy_of(split, &x64(), |profile, p| {
        let socket = nr(Syscall::socket, Abi::X86_64);
        assert_eq!(profile.len(), 6);
        for r in p.rules() {
            assert_eq!(r.conds.len(), 1);
        }
        // Names outer, conditions inner, as runc adds them.
        let first: Vec<_> = p.rules().iter().map(|r| (r.target, r.conds[0])).collect();
        assert_eq!(first[0].1, Cond::eq(0, 1));
        assert_eq!(first[2].1, Cond::eq(1, 3));
        assert_eq!(first[3].0, Target::Syscall(Syscall::bind));
        assert_eq!(
            profile.rule_path(4).as_deref(),
            Some("syscalls[0].names[1]")
        );
        let e = |args| p.evaluate(Abi::X86_64, socket, &args).unwrap();
        assert_eq!(e([1, 0, 0, 0, 0, 0]), Action::Allow);
        assert_eq!(e([2, 0, 0, 0, 0, 0]), Action::Allow);
        assert_eq!(e([7, 3, 0, 0, 0, 0]), Action::Allow);
        assert_eq!(e([7, 4, 0, 0, 0, 0]), Action::Errno(1));
        agrees(p);
    });
    // Different indexes: one rule, all conditions ANDed.
    let and = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [
            {"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
            {"index": 1, "value": 3, "op": "SCMP_CMP_GE"},
            {"index": 2, "value": 240, "valueTwo": 16, "op": "SCMP_CMP_MASKED_EQ"}]}]}"#;
    policy_of(and, &x64(), |profile, p| {
        assert_eq!(profile.len(), 1);
        assert_eq!(
            p.rules()[0].conds,
            &[Cond::eq(0, 1), Cond::ge(1, 3), Cond::masked_eq(2, 240, 16)]
        );
        let socket = nr(Syscall::socket, Abi::X86_64);
        let e = |args| p.evaluate(Abi::X86_64, socket, &args).unwrap();
        assert_eq!(e([1, 3, 0x1f, 0, 0, 0]), Action::Allow);
        assert_eq!(e([1, 3, 0x2f, 0, 0, 0]), Action::Errno(1));
        assert_eq!(e([1, 2, 0x1f, 0, 0, 0]), Action::Errno(1));
        assert_eq!(e([0, 3, 0x1f, 0, 0, 0]), Action::Errno(1));
        // Full 64-bit comparison: an upper half counts.
        assert_eq!(e([1 | 1 << 32, 3, 0x1f, 0, 0, 0]), Action::Errno(1));
        agrees(p);
    });
}

#[test]
fn every_action_and_operator() {
    let json = r#"{"defaultAction": "SCMP_ACT_KILL_PROCESS", "syscalls": [
        {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["write"], "action": "SCMP_ACT_ERRNO", "errnoRet": 4095},
        {"names": ["open"], "action": "SCMP_ACT_ERRNO"},
        {"names": ["close"], "action": "SCMP_ACT_KILL"},
        {"names": ["stat"], "action": "SCMP_ACT_KILL_THREAD"},
        {"names": ["fstat"], "action": "SCMP_ACT_TRAP", "errnoRet": 9},
        {"names": ["lstat"], "action": "SCMP_ACT_TRACE", "errnoRet": 65535},
        {"names": ["poll"], "action": "SCMP_ACT_TRACE"},
        {"names": ["lseek"], "action": "SCMP_ACT_LOG"},
        {"names": ["mmap"], "action": "SCMP_ACT_NOTIFY"},
        {"name": "mprotect", "action": "SCMP_ACT_ALLOW", "args": [
            {"index": 5, "value": 9, "op": "SCMP_CMP_NE"},
            {"index": 4, "value": 9, "op": "SCMP_CMP_LT"},
            {"index": 3, "value": 9, "op": "SCMP_CMP_LE"},
            {"index": 2, "value": 9, "op": "SCMP_CMP_GT"},
            {"index": 1, "value": 18446744073709551615, "op": "SCMP_CMP_EQ"},
            {"index": 0, "value": 9, "valueTwo": null, "op": "SCMP_CMP_GE"}]}]}"#;
    policy_of(json, &x64(), |_, p| {
        let a = |call: Syscall| {
            p.evaluate(Abi::X86_64, nr(call, Abi::X86_64), &[0; 6])
                .unwrap()
        };
        assert_eq!(a(Syscall::read), Action::Allow);
        assert_eq!(a(Syscall::write), Action::Errno(4095));
        assert_eq!(a(Syscall::open), Action::Errno(1));
        assert_eq!(a(Syscall::close), Action::KillThread);
        assert_eq!(a(Syscall::stat), Action::KillThread);
        assert_eq!(a(Syscall::fstat), Action::Trap(0));
        assert_eq!(a(Syscall::lstat), Action::Trace(65535));
        assert_eq!(a(Syscall::poll), Action::Trace(1));
        assert_eq!(a(Syscall::lseek), Action::Log);
        assert_eq!(a(Syscall::mmap), Action::UserNotif);
        assert_eq!(a(Syscall::mprotect), Action::KillProcess);
        let mp = nr(Syscall::mprotect, Abi::X86_64);
        let args = [9, u64::MAX, 10, 9, 8, 0];
        assert_eq!(p.evaluate(Abi::X86_64, mp, &args), Ok(Action::Allow));
        assert_eq!(
            p.rules().last().unwrap().conds,
            &[
                Cond::ne(5, 9),
                Cond::lt(4, 9),
                Cond::le(3, 9),
                Cond::gt(2, 9),
                Cond::eq(1, u64::MAX),
                Cond::ge(0, 9)
            ]
        );
        agrees(p);
    });
}

#[test]
fn rules_with_the_default_action_are_left_out() {
    // As runc: the ERRNO(1) entry equals the default and is dropped, so
    // socket(16, ..) is allowed; with another errno it is kept and wins.
    let json = |errno: u32| {
        format!(
            r#"{{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {{"names": ["socket"], "action": "SCMP_ACT_ALLOW"}},
            {{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": {errno},
              "args": [{{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"}}]}}]}}"#
        )
    };
    let socket = nr(Syscall::socket, Abi::X86_64);
    policy_of(&json(1), &x64(), |profile, p| {
        assert_eq!(profile.len(), 1);
        assert_eq!(
            p.evaluate(Abi::X86_64, socket, &[16, 0, 0, 0, 0, 0]),
            Ok(Action::Allow)
        );
    });
    policy_of(&json(2), &x64(), |profile, p| {
        assert_eq!(profile.len(), 2);
        assert_eq!(
            p.evaluate(Abi::X86_64, socket, &[16, 0, 0, 0, 0, 0]),
            Ok(Action::Errno(2))
        );
    });
}

#[test]
fn includes_and_excludes() {
    let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "5.8"}},
        {"names": ["write"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": "5.8"}},
        {"names": ["open"], "action": "SCMP_ACT_ALLOW",
         "includes": {"caps": ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"]}},
        {"names": ["close"], "action": "SCMP_ACT_ALLOW",
         "excludes": {"caps": ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"]}},
        {"names": ["stat"], "action": "SCMP_ACT_ALLOW",
         "includes": {"arches": ["arm64", "386"], "caps": []}},
        {"names": ["fstat"], "action": "SCMP_ACT_ALLOW",
         "excludes": {"arches": ["sparc64", "amd64"]}}]}"#;
    let allowed = |opts: &Options| -> Vec<Syscall> {
        let profile = Profile::from_json(json, opts).unwrap();
        let rules = profile.rules();
        let p = rules.policy();
        let native = profile.abis()[0];
        [
            Syscall::read,
            Syscall::write,
            Syscall::open,
            Syscall::close,
            Syscall::stat,
            Syscall::fstat,
        ]
        .into_iter()
        .filter(|c| {
            c.nr(native)
                .is_some_and(|n| p.evaluate(native, n, &[0; 6]) == Ok(Action::Allow))
        })
        .collect()
    };
    use Syscall::*;
    let old = x64().kernel(KernelVersion::new(5, 7));
    let new = x64().kernel(KernelVersion::new(5, 8));
    assert_eq!(allowed(&old), [write, close]);
    assert_eq!(allowed(&new), [read, close]);
    assert_eq!(allowed(&new.clone().caps(&["CAP_SYS_ADMIN"])), [read]);
    assert_eq!(
        allowed(&new.clone().caps(&["CAP_SYS_ADMIN", "NET_ADMIN"])),
        [read, open]
    );
    let i386 = Options::new()
        .abis(&[Abi::X86])
        .kernel(KernelVersion::new(6, 1));
    assert_eq!(allowed(&i386), [read, close, stat, fstat]);
    let arm64 = Options::new()
        .native(Abi::Aarch64)
        .kernel(KernelVersion::new(6, 1));
    assert_eq!(allowed(&arm64), [read, close, fstat]); // aarch64 has no stat
    // minKernel needs a kernel version.
    let e = Profile::from_json(json, &x64()).unwrap_err();
    assert_eq!(
        (e.path(), e.kind()),
        ("syscalls[0].includes.minKernel", &OciErrorKind::NeedKernel)
    );
}

#[test]
fn abis_from_the_profile() {
    let abis =
        |json: &str, opts: &Options| Profile::from_json(json, opts).map(|p| p.abis().to_vec());
    let arches = r#"{"defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64"]}"#;
    assert_eq!(
        abis(arches, &Options::new()),
        Ok(vec![Abi::Aarch64, Abi::Arm])
    );
    assert_eq!(
        abis(arches, &Options::new().abis(&[Abi::Ppc64le])),
        Ok(vec![Abi::Ppc64le])
    );
    let none = r#"{"defaultAction": "SCMP_ACT_ALLOW"}"#;
    assert_eq!(
        abis(none, &Options::new().native(Abi::S390x)),
        Ok(vec![Abi::S390x])
    );
    if let Some(host) = Abi::NATIVE {
        assert_eq!(abis(none, &Options::new()), Ok(vec![host]));
    }
    let map = r#"{"defaultAction": "SCMP_ACT_ALLOW", "archMap": [
        {"architecture": "SCMP_ARCH_SPARC64", "subArchitectures": ["SCMP_ARCH_SPARC"]},
        {"architecture": "SCMP_ARCH_MIPS64", "subArchitectures": ["SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32"]}]}"#;
    assert_eq!(
        abis(map, &Options::new().native(Abi::Mips64)),
        Ok(vec![Abi::Mips64, Abi::Mips, Abi::Mips64n32])
    );
    assert_eq!(
        abis(map, &Options::new().native(Abi::Arm)),
        Ok(vec![Abi::Arm])
    );
}

/// Each refusal, with its path and kind.
#[test]
fn errors_carry_their_json_path() {
    use OciErrorKind::*;
    let with_rule = |rule: &str| {
        format!(
            r#"{{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{{"names": ["read"], "action": "SCMP_ACT_ERRNO"}}, {rule}]}}"#
        )
    };
    let arg = |a: &str| {
        with_rule(&format!(
            r#"{{"names": ["write"], "action": "SCMP_ACT_ERRNO", "args": [{{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}}, {a}]}}"#
        ))
    };
    let cases: Vec<(String, &str, OciErrorKind)> = vec![
        ("[]".into(), "", WrongType { expected: "an object" }),
        ("{}".into(), "defaultAction", Missing),
        (r#"{"defaultAction": null}"#.into(), "defaultAction", Missing),
        (r#"{"defaultAction": 3}"#.into(), "defaultAction", WrongType { expected: "a string" }),
        (r#"{"defaultAction": "SCMP_ACT_FOO"}"#.into(), "defaultAction", UnknownAction("SCMP_ACT_FOO".into())),
        (r#"{"defaultAction": "SCMP_ACT_NOTIFY"}"#.into(), "defaultAction", NotifyDefault),
        (r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 4096}"#.into(), "defaultErrnoRet", OutOfRange { value: 4096, max: 4095 }),
        (r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": -1}"#.into(), "defaultErrnoRet", WrongType { expected: "an integer from 0 to 2^64-1" }),
        (r#"{"defaultAction": "SCMP_ACT_TRACE", "defaultErrnoRet": 65536}"#.into(), "defaultErrnoRet", OutOfRange { value: 65536, max: 65535 }),
        (r#"{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_VAX"]}"#.into(), "architectures[1]", UnknownArch("SCMP_ARCH_VAX".into())),
        (r#"{"defaultAction": "SCMP_ACT_ALLOW", "architectures": "SCMP_ARCH_X86"}"#.into(), "architectures", WrongType { expected: "an array" }),
        (r#"{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86"], "archMap": []}"#.into(), "archMap", Conflict("architectures")),
        (r#"{"defaultAction": "SCMP_ACT_ALLOW", "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_Z80"]}]}"#.into(), "archMap[0].subArchitectures[0]", UnknownArch("SCMP_ARCH_Z80".into())),
        (r#"{"defaultAction": "SCMP_ACT_ALLOW", "archMap": [{"subArchitectures": []}]}"#.into(), "archMap[0].architecture", Missing),
        (r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {}}"#.into(), "syscalls", WrongType { expected: "an array" }),
        (with_rule("7"), "syscalls[1]", WrongType { expected: "an object" }),
        (with_rule(r#"{"action": "SCMP_ACT_ALLOW"}"#), "syscalls[1].names", Missing),
        (with_rule(r#"{"names": ["read", 5], "action": "SCMP_ACT_ALLOW"}"#), "syscalls[1].names[1]", WrongType { expected: "a string" }),
        (with_rule(r#"{"name": "read", "names": ["read"], "action": "SCMP_ACT_ALLOW"}"#), "syscalls[1].name", Conflict("names")),
        (with_rule(r#"{"names": ["read"]}"#), "syscalls[1].action", Missing),
        (with_rule(r#"{"names": ["read"], "action": "SCMP_ACT_KILL_ALL"}"#), "syscalls[1].action", UnknownAction("SCMP_ACT_KILL_ALL".into())),
        (with_rule(r#"{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5000}"#), "syscalls[1].errnoRet", OutOfRange { value: 5000, max: 4095 }),
        (with_rule(r#"{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": "EPERM"}"#), "syscalls[1].errnoRet", WrongType { expected: "an integer from 0 to 2^64-1" }),
        (with_rule(r#"{"names": ["read", "no_such_call"], "action": "SCMP_ACT_LOG"}"#), "syscalls[1].names[1]", UnknownSyscall("no_such_call".into())),
        (with_rule(r#"{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": {}}"#), "syscalls[1].args", WrongType { expected: "an array" }),
        (arg(r#"{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}"#), "syscalls[1].args[1].index", OutOfRange { value: 6, max: 5 }),
        (arg(r#"{"index": 300, "value": 1, "op": "SCMP_CMP_EQ"}"#), "syscalls[1].args[1].index", OutOfRange { value: 300, max: 5 }),
        (arg(r#"{"value": 1, "op": "SCMP_CMP_EQ"}"#), "syscalls[1].args[1].index", Missing),
        (arg(r#"{"index": 1, "op": "SCMP_CMP_EQ"}"#), "syscalls[1].args[1].value", Missing),
        (arg(r#"{"index": 1, "value": 1.5, "op": "SCMP_CMP_EQ"}"#), "syscalls[1].args[1].value", WrongType { expected: "an integer from 0 to 2^64-1" }),
        (arg(r#"{"index": 1, "value": 18446744073709551616, "op": "SCMP_CMP_EQ"}"#), "syscalls[1].args[1].value", WrongType { expected: "an integer from 0 to 2^64-1" }),
        (arg(r#"{"index": 1, "value": 1, "valueTwo": -2, "op": "SCMP_CMP_MASKED_EQ"}"#), "syscalls[1].args[1].valueTwo", WrongType { expected: "an integer from 0 to 2^64-1" }),
        (arg(r#"{"index": 1, "value": 1}"#), "syscalls[1].args[1].op", Missing),
        (arg(r#"{"index": 1, "value": 1, "op": "SCMP_CMP_FOO"}"#), "syscalls[1].args[1].op", UnknownOperator("SCMP_CMP_FOO".into())),
        (arg("[]"), "syscalls[1].args[1]", WrongType { expected: "an object" }),
        (with_rule(r#"{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": []}"#), "syscalls[1].includes", WrongType { expected: "an object" }),
        (with_rule(r#"{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": [1]}}"#), "syscalls[1].includes.caps[0]", WrongType { expected: "a string" }),
        (with_rule(r#"{"names": ["read"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": "amd64"}}"#), "syscalls[1].excludes.arches", WrongType { expected: "an array" }),
        (with_rule(r#"{"names": ["read"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": "5"}}"#), "syscalls[1].excludes.minKernel", KernelVersion("5".into())),
        (with_rule(r#"{"names": ["read"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": 5.8}}"#), "syscalls[1].excludes.minKernel", WrongType { expected: "a string" }),
    ];
    for (json, path, kind) in cases {
        let e = Profile::from_json(&json, &x64().skip_unknown(false)).expect_err(&json);
        assert_eq!((e.path(), e.kind()), (path, &kind), "{json}");
        let text = e.to_string();
        assert!(text.starts_with(path), "{text}");
        assert!(text.ends_with(&kind.to_string()), "{text}");
    }
    let e = Profile::from_json(
        "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  oops\n}",
        &x64(),
    )
    .unwrap_err();
    assert_eq!(e.path(), "");
    assert!(
        matches!(
            e.kind(),
            Syntax {
                line: 3,
                column: 3,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().starts_with("invalid JSON: "), "{e}");
    let e = Profile::from_json(
        &arg(r#"{"index": 1, "value": 1, "op": "SCMP_CMP_FOO"}"#),
        &x64(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "syscalls[1].args[1].op: unknown operator \"SCMP_CMP_FOO\""
    );
    // No ABI at all.
    if Abi::NATIVE.is_none() {
        let e = Profile::from_json(r#"{"defaultAction": "SCMP_ACT_ALLOW"}"#, &Options::new())
            .unwrap_err();
        assert_eq!(e.kind(), &NoAbi);
    }
}

#[test]
fn tolerated_input() {
    // Unknown fields, nulls, an empty names list, errnoRet on an action
    // that has no data, an unknown architecture in includes.
    let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "ENOSYS",
        "flags": ["SECCOMP_FILTER_FLAG_LOG"], "listenerPath": "/run/x", "syscalls": [
        {"names": [], "action": "SCMP_ACT_ALLOW"},
        {"names": ["read"], "action": "SCMP_ACT_ALLOW", "errnoRet": 77, "args": null,
         "comment": "x", "includes": null, "excludes": {"arches": ["vax"]}, "future": {"a": 1}}]}"#;
    policy_of(json, &x64(), |profile, p| {
        assert_eq!(profile.len(), 1);
        assert_eq!(p.evaluate(Abi::X86_64, 0, &[0; 6]), Ok(Action::Allow));
    });
    // A name some ABI has but this one lacks is skipped on it, not refused.
    let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["socketcall", "read"], "action": "SCMP_ACT_ALLOW"}]}"#;
    policy_of(json, &x64(), |profile, p| {
        assert_eq!(profile.len(), 2);
        assert!(profile.skipped().is_empty());
        assert!(p.check().is_ok());
        agrees(p);
    });
}
