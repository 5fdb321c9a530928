//! `ukemi-devtools`: what tests and trainers run beside the companion, and what a clinic's
//! binary must not carry — the simulated eligibility service as an HTTPS server with mutual
//! TLS, the generator of its test PKI, and an emulated card in vsmartcard's virtual reader.

mod server;
mod simservice;
mod testcerts;
mod vcard;

const USAGE: &str = "\
ukemi-devtools — test and training tools for Ukemi (not for clinics)

USAGE:
  ukemi-devtools gen-certs DIR               test certificates for the simulated service
  ukemi-devtools sim-service --certs DIR     the simulated eligibility service over mutual TLS
  ukemi-devtools virtual-card --persona ID   an emulated card in vsmartcard's virtual reader
";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("gen-certs") => simservice::run(&args),
        Some("sim-service") => simservice::run(&args[1..]),
        Some("virtual-card") => vcard::run(&args[1..]),
        Some("-V" | "--version") => {
            println!("ukemi-devtools {}", env!("CARGO_PKG_VERSION"));
            0
        }
        _ => {
            eprint!("{USAGE}");
            2
        }
    };
    std::process::exit(code);
}
