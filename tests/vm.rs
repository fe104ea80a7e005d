//! Boots `examples/init` as PID 1 on real Debian kernels under qemu (TCG)
//! and checks what it prints on the serial console: one line per probe,
//! the SIGSYS reporter's line, the closing PASS line, then a clean power-off.
//!
//! Needs `qemu-system-x86_64` / `qemu-system-aarch64`, the Rust targets
//! `x86_64-unknown-linux-musl` / `aarch64-unknown-linux-musl`, and the kernel
//! images that `scripts/fetch-kernels.sh` caches (in `$SECCOMP_BPF_VM_CACHE`,
//! default `target/vm-kernels`). A case whose tools or image are missing
//! prints `skipped: <why>` and passes, unless `SECCOMP_BPF_VM_REQUIRE=1`
//! (CI sets it), which turns a skip into a failure.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The probes the init runs, in order; each must print `probe <name>: ok`.
const PROBES: &[&str] = &[
    "allow",
    "errno",
    "arg-match",
    "arg-other",
    "arg-low32",
    "default-enosys",
    "trap",
    "reporter",
    "kill-child",
    "stacked",
];

/// How long one boot may take before the case fails. TCG on a loaded 2-core
/// machine boots these kernels in a few seconds; this is a hang guard.
const BOOT_TIMEOUT: Duration = Duration::from_secs(90);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A machine the init can be built for and booted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arch {
    X86_64,
    Aarch64,
}

impl Arch {
    fn from_debian(name: &str) -> Option<Arch> {
        match name {
            "amd64" => Some(Arch::X86_64),
            "arm64" => Some(Arch::Aarch64),
            _ => None,
        }
    }

    fn target(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-unknown-linux-musl",
            Arch::Aarch64 => "aarch64-unknown-linux-musl",
        }
    }

    fn qemu(self) -> &'static str {
        match self {
            Arch::X86_64 => "qemu-system-x86_64",
            Arch::Aarch64 => "qemu-system-aarch64",
        }
    }

    /// Machine arguments, before `-kernel`.
    fn machine(self) -> &'static [&'static str] {
        match self {
            Arch::X86_64 => &[],
            // -cpu max with the cheaper pointer-authentication algorithm: the
            // architected one makes TCG about three times slower.
            Arch::Aarch64 => &["-M", "virt", "-cpu", "max,pauth-impdef=on"],
        }
    }

    /// The start of the line the crate's SIGSYS reporter writes on stderr
    /// (the console) in probe `reporter`: prctl's number on this ABI.
    fn reporter_line_head(self) -> &'static str {
        match self {
            Arch::X86_64 => "seccomp: blocked syscall 157 on x86_64 at 0x",
            Arch::Aarch64 => "seccomp: blocked syscall 167 on aarch64 at 0x",
        }
    }

    fn console(self) -> &'static str {
        match self {
            Arch::X86_64 => "ttyS0",
            Arch::Aarch64 => "ttyAMA0",
        }
    }
}

/// Why a case did not run.
struct Skip(String);

fn skip_or_fail(case: &str, why: Skip) {
    if std::env::var_os("SECCOMP_BPF_VM_REQUIRE").is_some_and(|v| v == "1") {
        panic!("{case}: {} (SECCOMP_BPF_VM_REQUIRE=1)", why.0);
    }
    eprintln!("skipped: {case}: {}", why.0);
}

fn cache_dir() -> PathBuf {
    match std::env::var_os("SECCOMP_BPF_VM_CACHE") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => root().join("target/vm-kernels"),
    }
}

/// The kernels listed in scripts/vm-kernels.txt: (package, arch).
fn kernels() -> Vec<(String, Arch)> {
    let path = root().join("scripts/vm-kernels.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut words = l.split_whitespace();
            let (Some(pkg), Some(arch), None) = (words.next(), words.next(), words.next()) else {
                panic!("{}: bad line {l:?}", path.display());
            };
            let arch = Arch::from_debian(arch)
                .unwrap_or_else(|| panic!("{}: unknown arch {arch:?}", path.display()));
            (pkg.to_owned(), arch)
        })
        .collect()
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

fn target_installed(target: &str) -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = Command::new(rustc).args(["--print", "sysroot"]).output() else {
        return false;
    };
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    Path::new(&sysroot)
        .join("lib/rustlib")
        .join(target)
        .join("lib")
        .is_dir()
}

/// Builds the init for `arch` once per test run, with exactly the command a
/// user runs, and returns the binary's path.
fn build_init(arch: Arch) -> Result<PathBuf, String> {
    static BUILT: [OnceLock<Result<PathBuf, String>>; 2] = [OnceLock::new(), OnceLock::new()];
    let slot = &BUILT[arch as usize];
    slot.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let started = Instant::now();
        let out = Command::new(cargo)
            .current_dir(root())
            .args([
                "build",
                "--release",
                "--example",
                "init",
                "--target",
                arch.target(),
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running cargo: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "cargo build --release --example init --target {} failed:\n{}",
                arch.target(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        eprintln!(
            "built init for {} in {:.1?}",
            arch.target(),
            started.elapsed()
        );
        Ok(root()
            .join("target")
            .join(arch.target())
            .join("release/examples/init"))
    })
    .clone()
}

/// A newc ("070701") cpio archive, the format the kernel unpacks into its
/// initial root file system.
#[derive(Default)]
struct Newc {
    out: Vec<u8>,
    ino: u32,
}

impl Newc {
    const DIR: u32 = 0o040_000;
    const FILE: u32 = 0o100_000;
    const CHAR: u32 = 0o020_000;

    fn entry(&mut self, name: &str, mode: u32, rdev: (u32, u32), data: &[u8]) {
        self.ino += 1;
        let nlink = if mode & 0o170_000 == Self::DIR { 2 } else { 1 };
        let size = u32::try_from(data.len()).expect("cpio member over 4 GiB");
        let namesize = u32::try_from(name.len() + 1).expect("cpio name too long");
        // magic, then ino mode uid gid nlink mtime filesize devmajor devminor
        // rdevmajor rdevminor namesize check, each 8 hex digits.
        self.out.extend_from_slice(b"070701");
        for field in [
            self.ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev.0, rdev.1, namesize, 0,
        ] {
            self.out
                .extend_from_slice(format!("{field:08X}").as_bytes());
        }
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(0);
        self.pad();
        self.out.extend_from_slice(data);
        self.pad();
    }

    fn pad(&mut self) {
        while self.out.len() % 4 != 0 {
            self.out.push(0);
        }
    }

    fn dir(&mut self, name: &str) {
        self.entry(name, Self::DIR | 0o755, (0, 0), &[]);
    }

    fn file(&mut self, name: &str, mode: u32, data: &[u8]) {
        self.entry(name, Self::FILE | mode, (0, 0), data);
    }

    fn char_dev(&mut self, name: &str, mode: u32, major: u32, minor: u32) {
        self.entry(name, Self::CHAR | mode, (major, minor), &[]);
    }

    fn finish(mut self) -> Vec<u8> {
        self.entry("TRAILER!!!", 0, (0, 0), &[]);
        self.out
    }
}

/// The initramfs: /dev/console for the init's stdout, and /init.
fn initramfs(init: &[u8]) -> Vec<u8> {
    let mut cpio = Newc::default();
    cpio.dir("dev");
    cpio.char_dev("dev/console", 0o600, 5, 1);
    cpio.file("init", 0o755, init);
    cpio.finish()
}

#[test]
fn newc_layout() {
    let mut cpio = Newc::default();
    cpio.file("init", 0o755, b"abc");
    let bytes = cpio.finish();
    // Header (110) + "init\0" (5) padded to 116, data 3 padded to 4.
    let first = &bytes[..110];
    assert_eq!(&first[..6], b"070701");
    assert_eq!(&first[6..14], b"00000001", "ino");
    assert_eq!(&first[14..22], b"000081ED", "mode: regular file 0755");
    assert_eq!(&first[54..62], b"00000003", "filesize");
    assert_eq!(&first[94..102], b"00000005", "namesize counts the NUL");
    assert_eq!(&bytes[110..116], b"init\0\0");
    assert_eq!(&bytes[116..120], b"abc\0");
    let trailer = &bytes[120..];
    assert_eq!(&trailer[..6], b"070701");
    assert_eq!(&trailer[110..121], b"TRAILER!!!\0");
    assert_eq!(bytes.len() % 4, 0);
}

/// The bytes of an ELF64 little-endian file that its `PT_LOAD` segments
/// cover (headers included): what is left after stripping, less the small
/// section table.
fn loadable_size(elf: &[u8]) -> Result<u64, String> {
    let u16_at = |at: usize| {
        elf.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u32_at = |at: usize| {
        elf.get(at..at + 4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
    };
    let u64_at = |at: usize| {
        elf.get(at..at + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap()))
    };
    if elf.get(..6) != Some(b"\x7fELF\x02\x01") {
        return Err("not an ELF64 little-endian file".into());
    }
    let phoff = u64_at(0x20).ok_or("short header")? as usize;
    let phentsize = u16_at(0x36).ok_or("short header")? as usize;
    let phnum = u16_at(0x38).ok_or("short header")? as usize;
    let mut end = 0;
    for i in 0..phnum {
        let ph = phoff + i * phentsize;
        if u32_at(ph).ok_or("short program header")? == 1 {
            let offset = u64_at(ph + 8).ok_or("short program header")?;
            let filesz = u64_at(ph + 32).ok_or("short program header")?;
            end = end.max(offset + filesz);
        }
    }
    Ok(end)
}

/// The init must stay small: at most 16 KiB once stripped. The loadable
/// part plus 1 KiB for the section table stays under that.
#[test]
fn init_fits_in_16_kib() {
    for arch in [Arch::X86_64, Arch::Aarch64] {
        let case = format!("init size {}", arch.target());
        if !target_installed(arch.target()) {
            skip_or_fail(
                &case,
                Skip(format!("Rust target {} not installed", arch.target())),
            );
            continue;
        }
        let path = build_init(arch).unwrap_or_else(|e| panic!("{e}"));
        let elf = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let loadable = loadable_size(&elf).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        eprintln!("{case}: {} bytes, {loadable} loadable", elf.len());
        assert!(
            loadable + 1024 <= 16 * 1024,
            "{case}: {loadable} loadable bytes, over 15 KiB"
        );
    }
}

/// Boots `kernel` with `initrd` and returns the console output and the time
/// from start to qemu's exit.
fn boot(arch: Arch, kernel: &Path, initrd: &Path) -> Result<(String, Duration), String> {
    let append = format!("console={} panic=-1", arch.console());
    let started = Instant::now();
    let mut child = Command::new(arch.qemu())
        .args(arch.machine())
        .args(["-m", "256", "-nographic", "-no-reboot", "-kernel"])
        .arg(kernel)
        .arg("-initrd")
        .arg(initrd)
        .args(["-append", &append])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", arch.qemu()))?;
    let console = Arc::new(Mutex::new(Vec::new()));
    let mut stdout = child.stdout.take().ok_or("no stdout pipe")?;
    let reader = {
        let console = Arc::clone(&console);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stdout.read(&mut buf) {
                console.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        })
    };
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if started.elapsed() > BOOT_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let elapsed = started.elapsed();
    let _ = reader.join();
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    let text = String::from_utf8_lossy(&console.lock().unwrap()).replace('\r', "");
    match status {
        None => Err(format!(
            "no power-off within {BOOT_TIMEOUT:?}; console:\n{}",
            tail(&text)
        )),
        Some(s) if !s.success() => Err(format!(
            "qemu exited with {s}; stderr: {stderr}\nconsole:\n{}",
            tail(&text)
        )),
        Some(_) => Ok((text, elapsed)),
    }
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(60)..].join("\n")
}

/// The end of the reporter's line: probe `reporter` asks for ENOTTY.
const REPORTER_LINE_TAIL: &str = "; failing it with errno 25";

/// Checks the console of one boot: every probe ok, in order, the
/// reporter's line before probe `reporter`'s, the PASS line with the right
/// count, and a clean power-off (not a panic).
fn check_console(console: &str, arch: Arch) -> Result<(), String> {
    let probes: Vec<&str> = console
        .lines()
        .filter(|l| l.starts_with("probe "))
        .collect();
    let mut problems = Vec::new();
    for (i, name) in PROBES.iter().enumerate() {
        let want = format!("probe {name}: ok");
        match probes.get(i) {
            Some(line) if *line == want => {}
            Some(line) => {
                problems.push(format!("probe {}: expected {want:?}, got {line:?}", i + 1))
            }
            None => problems.push(format!("probe {}: expected {want:?}, got nothing", i + 1)),
        }
    }
    if probes.len() > PROBES.len() {
        problems.push(format!(
            "unexpected probe lines: {:?}",
            &probes[PROBES.len()..]
        ));
    }
    let head = arch.reporter_line_head();
    let is_report = |l: &str| {
        l.strip_prefix(head)
            .and_then(|rest| rest.strip_suffix(REPORTER_LINE_TAIL))
            .is_some_and(|addr| !addr.is_empty() && addr.chars().all(|c| c.is_ascii_hexdigit()))
    };
    let reports: Vec<usize> = console
        .lines()
        .enumerate()
        .filter(|(_, l)| is_report(l))
        .map(|(i, _)| i)
        .collect();
    let probe_line = console.lines().position(|l| l == "probe reporter: ok");
    match (&reports[..], probe_line) {
        ([report], Some(probe)) if *report < probe => {}
        ([_], Some(_)) => problems.push("the reporter's line comes after its probe's".into()),
        ([_], None) => {}
        _ => problems.push(format!(
            "expected one line {head}...{REPORTER_LINE_TAIL}, got {}",
            reports.len()
        )),
    }
    let pass = format!("seccomp-bpf init: PASS {0}/{0} probes", PROBES.len());
    if !console.lines().any(|l| l == pass) {
        problems.push(format!("no line {pass:?}"));
    }
    if console.contains("Kernel panic") {
        problems.push("the kernel panicked".into());
    }
    if !console.contains("reboot: Power down") {
        problems.push("no \"reboot: Power down\": the init did not power off".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn console_check_rejects_failures() {
    let arch = Arch::X86_64;
    let report = format!("{}4001a2{REPORTER_LINE_TAIL}", arch.reporter_line_head());
    let mut good = String::new();
    for p in PROBES {
        if *p == "reporter" {
            good += &format!("{report}\n");
        }
        good += &format!("probe {p}: ok\n");
    }
    good += &format!(
        "seccomp-bpf init: PASS {0}/{0} probes\nreboot: Power down\n",
        PROBES.len()
    );
    assert!(good.contains("PASS 10/10 probes"), "{good}");
    assert_eq!(check_console(&good, arch), Ok(()));
    let failed = good.replacen("probe errno: ok", "probe errno: FAIL (got 0)", 1);
    assert!(check_console(&failed, arch).unwrap_err().contains("errno"));
    let missing = good.replacen("probe trap: ok\n", "", 1);
    assert!(check_console(&missing, arch).is_err());
    let panicked = good.replace(
        "reboot: Power down",
        "Kernel panic - not syncing: Attempted to kill init!",
    );
    assert!(check_console(&panicked, arch).is_err());
    // The reporter's line: missing, on the other ABI, with another errno,
    // without an address, or after the probe's line.
    let no_report = good.replacen(&format!("{report}\n"), "", 1);
    assert!(
        check_console(&no_report, arch)
            .unwrap_err()
            .contains("got 0")
    );
    assert!(check_console(&good, Arch::Aarch64).is_err());
    let other_errno = good.replacen("errno 25", "errno 1", 1);
    assert!(check_console(&other_errno, arch).is_err());
    let no_addr = good.replacen("0x4001a2", "0x", 1);
    assert!(check_console(&no_addr, arch).is_err());
    let late = no_report.replacen(
        "probe reporter: ok\n",
        &format!("probe reporter: ok\n{report}\n"),
        1,
    );
    assert!(check_console(&late, arch).unwrap_err().contains("after"));
}

/// The cases: one test per (Linux version, arch); each must match exactly
/// one line of scripts/vm-kernels.txt.
const CASES: &[(&str, Arch)] = &[
    ("6.1.", Arch::X86_64),
    ("6.1.", Arch::Aarch64),
    ("6.12.", Arch::X86_64),
    ("6.12.", Arch::Aarch64),
];

fn find_kernel(version: &str, arch: Arch) -> Result<String, String> {
    let prefix = format!("linux-image-{version}");
    let found: Vec<String> = kernels()
        .into_iter()
        .filter(|(pkg, a)| *a == arch && pkg.starts_with(&prefix))
        .map(|(pkg, _)| pkg)
        .collect();
    match &found[..] {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "{} kernels for {prefix}* on {arch:?} in scripts/vm-kernels.txt: {found:?}",
            found.len()
        )),
    }
}

#[test]
fn every_listed_kernel_has_a_case() {
    for (pkg, arch) in kernels() {
        let cases = CASES
            .iter()
            .filter(|(v, a)| *a == arch && pkg.starts_with(&format!("linux-image-{v}")))
            .count();
        assert_eq!(cases, 1, "{pkg} ({arch:?}) is covered by {cases} cases");
    }
    for (version, arch) in CASES {
        find_kernel(version, *arch).unwrap();
    }
}

/// One kernel: build, pack, boot, check.
fn run_kernel(version: &str, arch: Arch) {
    let pkg = find_kernel(version, arch).unwrap_or_else(|e| panic!("{e}"));
    let case = format!("vm {pkg}");
    match try_kernel(&pkg, arch) {
        Ok(Ok(elapsed)) => eprintln!("{case}: booted and passed in {elapsed:.1?}"),
        Ok(Err(e)) => panic!("{case}: {e}"),
        Err(skip) => skip_or_fail(&case, skip),
    }
}

fn try_kernel(pkg: &str, arch: Arch) -> Result<Result<Duration, String>, Skip> {
    if !on_path(arch.qemu()) {
        return Err(Skip(format!(
            "{} not found (Debian package {})",
            arch.qemu(),
            qemu_package(arch)
        )));
    }
    if !target_installed(arch.target()) {
        return Err(Skip(format!("Rust target {} not installed", arch.target())));
    }
    let kernel = cache_dir().join(pkg).join("vmlinuz");
    if !kernel.is_file() {
        return Err(Skip(format!(
            "{} missing: run scripts/fetch-kernels.sh",
            kernel.display()
        )));
    }
    Ok(boot_and_check(arch, &kernel, pkg))
}

fn qemu_package(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "qemu-system-x86",
        Arch::Aarch64 => "qemu-system-arm",
    }
}

fn boot_and_check(arch: Arch, kernel: &Path, pkg: &str) -> Result<Duration, String> {
    let init = build_init(arch)?;
    let init = std::fs::read(&init).map_err(|e| format!("{}: {e}", init.display()))?;
    let dir = root().join("target/vm");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let initrd = dir.join(format!("{pkg}.cpio"));
    std::fs::write(&initrd, initramfs(&init)).map_err(|e| format!("{}: {e}", initrd.display()))?;
    let (console, elapsed) = boot(arch, kernel, &initrd)?;
    check_console(&console, arch).map_err(|e| format!("{e}\nconsole:\n{}", tail(&console)))?;
    Ok(elapsed)
}

#[test]
fn vm_x86_64_linux_6_1() {
    run_kernel("6.1.", Arch::X86_64);
}

#[test]
fn vm_aarch64_linux_6_1() {
    run_kernel("6.1.", Arch::Aarch64);
}

#[test]
fn vm_x86_64_linux_6_12() {
    run_kernel("6.12.", Arch::X86_64);
}

#[test]
fn vm_aarch64_linux_6_12() {
    run_kernel("6.12.", Arch::Aarch64);
}
