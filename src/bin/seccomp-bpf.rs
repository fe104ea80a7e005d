//! The `seccomp-bpf` command-line tool.

fn main() {
    eprintln!("seccomp-bpf: no commands yet");
    std::process::exit(2);
}
