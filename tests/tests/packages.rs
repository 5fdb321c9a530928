//! What a clinic installs, installed: the Windows installer under Wine (silent install, the
//! files, the Start menu and the registry entries, the certificate installed with
//! `config set-certificate`, the companion started from its Run-key entry and relaying to
//! the simulated service over mutual TLS, `doctor`, a second start, silent uninstall) and
//! the Debian package (its control data and contents, the systemd user unit, the binary
//! from a scratch root, `doctor` through the rig's real pcscd).
//!
//! Needs what `cargo xtask test` prepares (feature `packages`): the built packages
//! (`UKEMI_INSTALLER`, `UKEMI_DEB`), the Wine prefix (`WINEPREFIX`, …) and the PC/SC rig.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use ukemi_e2e::devtools_bin;

fn env_path(name: &str) -> PathBuf {
    PathBuf::from(
        std::env::var_os(name)
            .unwrap_or_else(|| panic!("{name} is not set: run this through `cargo xtask test`")),
    )
}

fn wine() -> Command {
    let loader = std::env::var("UKEMI_WINE").unwrap_or_else(|_| "/usr/lib/wine/wine64".into());
    assert!(
        std::env::var_os("WINEPREFIX").is_some(),
        "WINEPREFIX is not set: run this through `cargo xtask test`"
    );
    Command::new(loader)
}

/// Runs a Wine command to its end and returns what it printed. Not `Command::output`: the
/// first Wine command after the wineserver went idle starts Wine's own services
/// (services.exe, rpcss …), which inherit its standard output and keep a pipe open for as long
/// as they live, so reading to the pipe's end would wait for ever. Files have no end to wait
/// for: the command's own exit is what we wait on.
fn run_wine(mut c: Command, what: &str) -> Output {
    let dir = std::env::temp_dir().join(format!("ukemi-wine-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let n = WINE_RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (out, err) = (dir.join(format!("{n}.out")), dir.join(format!("{n}.err")));
    let status = c
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).expect("stdout file"))
        .stderr(std::fs::File::create(&err).expect("stderr file"))
        .status()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    Output {
        status,
        stdout: std::fs::read(&out).unwrap_or_default(),
        stderr: std::fs::read(&err).unwrap_or_default(),
    }
}

static WINE_RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn reg_query(key: &str, value: Option<&str>) -> Option<String> {
    let mut c = wine();
    c.args(["reg", "query", key]);
    if let Some(v) = value {
        c.args(["/v", v]);
    }
    let o = run_wine(c, "wine reg");
    o.status.success().then(|| text(&o))
}

/// The Windows user's folder in the prefix (`drive_c/users/NAME`).
fn wine_user_dir() -> PathBuf {
    let users = env_path("WINEPREFIX").join("drive_c/users");
    std::fs::read_dir(&users)
        .expect("users")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n != "Public") && p.join("AppData").is_dir())
        .expect("a Wine user folder")
}

fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The simulated service over mutual TLS, and its certificates.
struct Service {
    child: std::process::Child,
    port: u16,
    certs: PathBuf,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_service(name: &str) -> Service {
    let certs = std::env::temp_dir().join(format!("ukemi-pkg-{name}-{}", std::process::id()));
    let ok = Command::new(devtools_bin())
        .arg("gen-certs")
        .arg(&certs)
        .status()
        .expect("gen-certs");
    assert!(ok.success());
    let mut child = Command::new(devtools_bin())
        .args(["sim-service", "--port", "0", "--certs"])
        .arg(&certs)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sim-service");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let line = lines.next().and_then(Result::ok).unwrap_or_default();
    let port = line
        .rsplit(':')
        .next()
        .and_then(|p| p.trim().parse().ok())
        .expect("port");
    std::thread::spawn(move || for _ in lines {});
    Service { child, port, certs }
}

/// A PKCS#12 file of the clinic certificate, written the old way (SHA-1 PBE with 3DES and
/// a SHA-1 MAC), as many certificate authorities still hand them out.
fn legacy_p12(certs: &Path) -> PathBuf {
    let p12 = certs.join("clinic-legacy.p12");
    let ok = Command::new("openssl")
        .args([
            "pkcs12",
            "-export",
            "-certpbe",
            "PBE-SHA1-3DES",
            "-keypbe",
            "PBE-SHA1-3DES",
            "-macalg",
            "sha1",
            "-passout",
            "pass:合言葉-2026",
            "-in",
        ])
        .arg(certs.join("client.pem"))
        .arg("-inkey")
        .arg(certs.join("client-key.pem"))
        .arg("-out")
        .arg(&p12)
        .status()
        .expect("openssl");
    assert!(ok.success());
    p12
}

struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_windows_installer_installs_starts_at_logon_relays_and_uninstalls() {
    let installer = env_path("UKEMI_INSTALLER");
    let user = wine_user_dir();
    let local = user.join("AppData/Local");
    let program = local.join("Programs/Ukemi");
    let data = local.join("Ukemi");
    let menu = user.join("AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Ukemi");
    let _ = std::fs::remove_dir_all(&data);

    let mut c = wine();
    c.arg(&installer).arg("/S");
    let o = run_wine(c, "installer");
    assert!(o.status.success(), "{}", text(&o));
    for f in ["ukemi-companion.exe", "uninstall.exe"] {
        assert!(
            program.join(f).is_file(),
            "{f} not in {}",
            program.display()
        );
    }
    let mut shortcuts: Vec<String> = std::fs::read_dir(&menu)
        .expect("Start-menu folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    shortcuts.sort();
    assert_eq!(
        shortcuts,
        [
            "Ukemi のアンインストール.lnk",
            "Ukemi コンパニオン.lnk",
            "Ukemi 診断 (doctor).lnk"
        ]
    );
    let run = reg_query(
        r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run",
        Some("UkemiCompanion"),
    )
    .expect("Run key entry");
    let command = run
        .lines()
        .find_map(|l| l.split("REG_SZ").nth(1))
        .map(|c| c.trim().trim_matches('"').to_string())
        .expect("Run key value");
    assert!(
        command.ends_with(r"\AppData\Local\Programs\Ukemi\ukemi-companion.exe"),
        "{command}"
    );
    let uninstall = reg_query(
        r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\UkemiCompanion",
        None,
    )
    .expect("Apps & features entry");
    assert!(uninstall.contains("DisplayVersion") && uninstall.contains("uninstall.exe"));

    // The clinic's certificate, installed from its PKCS#12 file, and the service's address.
    let svc = start_service("installer");
    let p12 = legacy_p12(&svc.certs);
    let mut c = wine();
    c.arg(&command)
        .args(["config", "set-certificate"])
        .arg(&p12)
        .env("UKEMI_PKCS12_PASSWORD", "合言葉-2026");
    let o = run_wine(c, "set-certificate");
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("TEST 施術所 1310000000"), "{}", text(&o));
    assert!(data.join("client.pem").is_file() && data.join("client-key.pem").is_file());
    std::fs::copy(
        svc.certs.join("service-ca.pem"),
        data.join("service-ca.pem"),
    )
    .expect("ca");
    let config = serde_json::json!({
        "service": { "url": format!("https://127.0.0.1:{}", svc.port), "ca": "service-ca.pem" },
        "clinic": { "registration_number": "1310000000" }
    });
    std::fs::write(data.join("companion.json"), config.to_string()).expect("config");

    // Logon: the Run key's command, as Windows would start it (no arguments).
    let log = std::fs::File::create(ukemi_e2e::artifacts_dir().join("installed-companion.log"))
        .expect("log");
    let started = Running(
        wine()
            .arg(&command)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start from the Run key"),
    );
    wait_until("running.json", Duration::from_secs(60), || {
        data.join("running.json").is_file()
    });
    let running: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("running.json")).expect("running"))
            .expect("json");
    let port = running["port"].as_u64().expect("port");
    assert!(data.join("logs/companion.log").is_file());

    let mut c = wine();
    c.arg(&command).arg("doctor");
    let o = run_wine(c, "doctor");
    let report = text(&o);
    std::fs::write(
        ukemi_e2e::artifacts_dir().join("doctor-windows.txt"),
        &report,
    )
    .ok();
    assert!(
        report.contains("[OK] 資格確認サービス / eligibility service"),
        "{report}"
    );
    assert!(
        report.contains("[OK] 施術所の証明書 / clinic certificate: TEST 施術所 1310000000"),
        "{report}"
    );
    assert!(
        report.contains(&format!("動作中 / running: http://127.0.0.1:{port}/")),
        "{report}"
    );
    // Wine's winscard is a stub: doctor must say the smart-card service does not answer.
    assert!(
        report.contains("[NG] スマートカードサービス / smart-card service"),
        "{report}"
    );
    assert!(report.contains("(windows x86_64, PC/SC"), "{report}");

    // A second start (a double click on the Start-menu entry) says so and exits 0.
    let mut c = wine();
    c.arg(&command);
    let o = run_wine(c, "second start");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("already running: http://127.0.0.1:{port}/")),
        "{}",
        text(&o)
    );
    drop(started);

    let mut c = wine();
    c.arg(program.join("uninstall.exe")).arg("/S");
    let o = run_wine(c, "uninstaller");
    assert!(o.status.success(), "{}", text(&o));
    // The uninstaller runs from a copy of itself: wait for it to finish.
    wait_until("the program folder to go", Duration::from_secs(60), || {
        !program.join("ukemi-companion.exe").exists()
    });
    wait_until("the Run key entry to go", Duration::from_secs(30), || {
        reg_query(
            r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run",
            Some("UkemiCompanion"),
        )
        .is_none()
    });
    assert!(reg_query(
        r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\UkemiCompanion",
        None
    )
    .is_none());
    assert!(!menu.exists(), "Start-menu folder left behind");
    // The clinic's setup stays for a reinstall.
    assert!(data.join("companion.json").is_file() && data.join("client.pem").is_file());
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn the_debian_package_carries_a_user_unit_and_a_working_companion() {
    let deb = env_path("UKEMI_DEB");
    let info = Command::new("dpkg-deb")
        .arg("--info")
        .arg(&deb)
        .output()
        .expect("dpkg-deb");
    let info = text(&info);
    for field in [
        "Package: ukemi-companion",
        "Architecture: amd64",
        "libpcsclite1",
        "postinst",
    ] {
        assert!(info.contains(field), "{field} missing:\n{info}");
    }
    let contents = Command::new("dpkg-deb")
        .arg("--contents")
        .arg(&deb)
        .output()
        .expect("dpkg-deb");
    let contents = text(&contents);
    for path in [
        "./usr/bin/ukemi-companion",
        "./usr/lib/systemd/user/ukemi-companion.service",
        "./usr/share/doc/ukemi-companion/copyright",
    ] {
        assert!(contents.contains(path), "{path} missing:\n{contents}");
    }
    assert!(contents.contains("-rwxr-xr-x root/root"), "{contents}");

    let root = std::env::temp_dir().join(format!("ukemi-deb-root-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let ok = Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(&root)
        .status()
        .expect("dpkg-deb -x");
    assert!(ok.success());
    let unit = std::fs::read_to_string(root.join("usr/lib/systemd/user/ukemi-companion.service"))
        .expect("unit");
    assert!(
        unit.contains("ExecStart=/usr/bin/ukemi-companion\n"),
        "{unit}"
    );
    assert!(unit.contains("WantedBy=default.target"), "{unit}");
    let bin = root.join("usr/bin/ukemi-companion");

    let o = Command::new(&bin).arg("--version").output().expect("run");
    assert!(
        text(&o).starts_with("ukemi-companion ") && text(&o).contains("linux x86_64, PC/SC"),
        "{}",
        text(&o)
    );
    // doctor through the rig's real pcscd, with its two virtual readers.
    let state = root.join("state");
    let o = Command::new(&bin)
        .args(["doctor", "--state-dir"])
        .arg(&state)
        .output()
        .expect("doctor");
    let report = text(&o);
    std::fs::write(ukemi_e2e::artifacts_dir().join("doctor-linux.txt"), &report).ok();
    assert_eq!(
        o.status.code(),
        Some(1),
        "not configured, not running:\n{report}"
    );
    assert!(
        report.contains("[OK] スマートカードサービス / smart-card service"),
        "{report}"
    );
    assert!(
        report.contains("[OK] カードリーダー / card readers") && report.contains("Virtual PCD"),
        "{report}"
    );
    assert!(
        report.contains("[NG] 設定ファイル / configuration"),
        "{report}"
    );
    assert!(state.join("doctor.txt").is_file());

    // The installed binary serves (simulator mode, so no configuration is needed).
    let mut child = Command::new(&bin)
        .args(["--simulator", "--port", "0", "--state-dir"])
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let first = BufReader::new(child.stdout.take().expect("stdout"))
        .lines()
        .map_while(Result::ok)
        .find(|l| l.starts_with("listening on http://127.0.0.1:"));
    let _ = child.kill();
    let _ = child.wait();
    assert!(first.is_some(), "the packaged companion did not start");
    let _ = std::fs::remove_dir_all(&root);
}
