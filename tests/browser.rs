//! `report.html` in a real browser: headless Chromium renders the seeds'
//! report and the rendered DOM must show the Lavrov statement in both
//! documents, highlighted, right-to-left, with «بغداد» / «العراق» marked, and
//! the page must log nothing (no script error, no blocked fetch).
//!
//! Needs Chromium (`.ci/install-chromium.sh`). Without it the test prints
//! a skip message and passes, unless `SADA_REQUIRE_BROWSER=1` (CI), where it
//! fails.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin_cmd;

/// Long enough for a cold start on a loaded 2-core machine.
const CHROMIUM_DEADLINE: Duration = Duration::from_secs(120);

const LAVROV_DOCS: [&str; 2] = ["000_93dd4bcf26f3ba91", "002_75f94ab31a74d308"];

/// The Chromium binary, if one is installed.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SADA_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// What one headless Chromium run printed.
struct Rendered {
    stdout: String,
    stderr: String,
}

impl Rendered {
    /// Console output of the page: script errors, `console.*` calls and
    /// Content-Security-Policy violations all come as `…:CONSOLE…]` lines.
    fn console_lines(&self) -> Vec<&str> {
        self.stderr.lines().filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught")).collect()
    }
}

/// Runs headless Chromium on `page` with a fresh profile and `extra`
/// arguments, killing it after [`CHROMIUM_DEADLINE`].
fn render(chromium: &Path, page: &Path, work: &Path, extra: &[&str]) -> Rendered {
    let profile = tempfile::tempdir_in(work).unwrap();
    let (out, err) = (work.join("chromium.stdout"), work.join("chromium.stderr"));
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(File::create(&out).unwrap())
        .stderr(File::create(&err).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > CHROMIUM_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {CHROMIUM_DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let rendered = Rendered {
        stdout: std::fs::read_to_string(&out).unwrap(),
        stderr: String::from_utf8_lossy(&std::fs::read(&err).unwrap()).into_owned(),
    };
    assert!(status.success(), "chromium failed ({status}):\n{}", rendered.stderr);
    rendered
}

/// `sada scan seeds/` into `work/out`; the path of its report.
fn seeds_report(work: &Path) -> PathBuf {
    let out = work.join("out");
    cargo_bin_cmd!("sada")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", "--quiet", "--out"])
        .arg(&out)
        .arg("seeds/")
        .assert()
        .success();
    out.join("report.html")
}

/// Appended to a copy of the report: records what the browser computed as
/// `key=value` words in `body[data-probe]`, searches twice, then throws.
const PROBE: &str = "
var out=[],q=document.getElementById('q');
function shown(){return document.querySelectorAll('.item.on').length;}
document.querySelectorAll('.ctx').forEach(function(e){out.push('dir='+getComputedStyle(e).direction);});
out.push('marks='+document.querySelectorAll('mark').length,'shown='+shown());
function search(s,then){q.value=s;q.dispatchEvent(new Event('input'));setTimeout(then,400);}
search('nosuchword',function(){out.push('nothing='+shown());
  search('مستعده',function(){out.push('folded='+shown());
    document.body.setAttribute('data-probe',out.join(' '));});});
throw new Error('sada-deliberate');
";

/// The text content of the element whose start tag begins with `start`.
fn element_text<'a>(dom: &'a str, start: &str) -> &'a str {
    let at = dom.find(start).unwrap_or_else(|| panic!("no {start} in the DOM"));
    let body = &dom[at + dom[at..].find('>').unwrap() + 1..];
    &body[..body.find("</").unwrap()]
}

#[test]
fn the_seeds_report_renders_in_chromium() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var("SADA_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "SADA_REQUIRE_BROWSER=1 but no chromium found; run .ci/install-chromium.sh"
        );
        eprintln!("skipped: no chromium found (.ci/install-chromium.sh installs it)");
        return;
    };
    let work = tempfile::Builder::new().prefix("sada-browser-").tempdir().unwrap();
    let report = seeds_report(work.path());

    let page = render(&chromium, &report, work.path(), &["--dump-dom"]);
    let dom = &page.stdout;
    assert!(page.console_lines().is_empty(), "the page logged:\n{}", page.console_lines().join("\n"));
    assert_eq!(element_text(dom, "<pre id=\"js-errors\""), "", "script errors on the page");
    // The script ran: the first page of statements is shown.
    assert!(dom.contains("class=\"item st on\""), "the page's script did not run");
    for id in LAVROV_DOCS {
        assert!(dom.contains(&format!("<bdi class=\"doc\">{id}</bdi>")), "{id} is not shown");
    }
    assert!(dom.contains("<mark>"), "no highlighted passage");
    assert!(dom.contains("<p class=\"ctx t\" dir=\"auto\">"), "contexts lack dir=auto");
    assert!(dom.contains("<span class=\"diff\">بغداد</span>"), "«بغداد» is not marked");
    assert!(dom.contains("<span class=\"diff\">العراق</span>"), "«العراق» is not marked");

    // What the browser computed, written into the DOM by a probe appended to
    // a copy of the page: text direction, highlights, and the search box at
    // work. The probe also throws, to prove that errors are caught both in
    // the page and on stderr.
    let probe = work.path().join("probe.html");
    let html = std::fs::read_to_string(&report).unwrap();
    std::fs::write(&probe, html.replace("</body>", &format!("<script>{PROBE}</script></body>"))).unwrap();
    let probed = render(&chromium, &probe, work.path(), &["--dump-dom"]);
    let value = probed.stdout.split("data-probe=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default();
    let found = |key: &str| -> Vec<&str> {
        value.split(' ').filter_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')).collect()
    };
    assert!(found("dir").contains(&"rtl"), "no context renders right-to-left: {value:?}");
    assert!(found("marks").first().is_some_and(|n| *n != "0"), "no <mark> rendered: {value:?}");
    assert_eq!(found("shown"), ["2"], "both statements are shown at first: {value:?}");
    assert_eq!(found("nothing"), ["0"], "a search for a word found nowhere still shows items: {value:?}");
    // «مستعده» with ha for ta marbuta: found only because the search folds.
    assert_eq!(found("folded"), ["2"], "a search for «مستعده» should find «مستعدة»: {value:?}");
    assert!(
        element_text(&probed.stdout, "<pre id=\"js-errors\"").contains("sada-deliberate"),
        "the page did not record a deliberate error"
    );
    assert!(
        probed.console_lines().iter().any(|l| l.contains("Uncaught") && l.contains("sada-deliberate")),
        "chromium's stderr did not show a deliberate error, so the console check is blind:\n{}",
        probed.stderr
    );

    // A screenshot for people, kept in the target directory.
    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-seeds.png");
    render(&chromium, &report, work.path(), &[&format!("--screenshot={}", png.display()), "--window-size=1280,2000"]);
    let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
    assert!(size > 10_000, "screenshot {} missing or blank ({size} bytes)", png.display());
    eprintln!("screenshot: {}", png.display());
}
