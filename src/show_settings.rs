//! `--show-settings FILE`: what flasklint believes about one file: the
//! project root, the configuration in force, the rules and their options,
//! the names that are the session there, and the session backend with the
//! evidence it was found by.

use std::io::Write;
use std::path::Path;

use crate::ExitStatus;
use crate::analysis::checker::Checker;
use crate::analysis::session::{InProject, SessionModel};
use crate::config::patterns;
use crate::config::settings::Settings;
use crate::input::read::read_source;
use crate::input::source::{LineIndex, parse_module};

/// Prints the settings for `file`.
pub(crate) fn show(
    settings: &Settings,
    file: &Path,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> ExitStatus {
    let absolute = patterns::absolute(file, &settings.cwd);
    let scope = match settings.configurations.for_file(&absolute) {
        Ok(scope) => scope,
        Err(error) => {
            let _ = write!(stderr, "{}", error.render(settings.report.color));
            return ExitStatus::Error;
        }
    };
    let shown = |path: &Path| -> String {
        match path.strip_prefix(&settings.cwd) {
            Ok(relative) if relative.as_os_str().is_empty() => ".".to_string(),
            Ok(relative) => relative.display().to_string(),
            Err(_) => path.display().to_string(),
        }
    };
    let file_settings = scope.file_settings(&absolute, settings.fix, settings.max_file_size);
    let bytes = match read_source(&absolute, settings.max_file_size) {
        Ok(bytes) => bytes,
        Err(reason) => {
            let _ = writeln!(stderr, "error: {}: {reason}", file.display());
            return ExitStatus::Error;
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let parsed = parse_module(&text);
    let body = parsed
        .syntax()
        .as_module()
        .map_or(&[][..], |module| &module.body);
    let in_project = InProject::new(&settings.project, Some(&absolute));
    let model = SessionModel::build(body, &scope.rule_options.session_names, in_project);
    let lines = LineIndex::new(&text);
    let checker = Checker {
        source: &text,
        model: &model,
        project: &settings.project,
        file: Some(&absolute),
        options: &scope.rule_options,
        comments: &[],
        lines: &lines,
        keys: std::cell::OnceCell::new(),
    };
    let backend = checker.backend();
    let saves = match backend.saves_every_request {
        Some(true) => "yes",
        Some(false) => "no: only when the session is marked modified",
        None => "not known",
    };
    let rules: Vec<&str> = file_settings.rules.iter().map(|info| info.code).collect();
    let mut out = String::new();
    let mut line = |key: &str, value: String| out.push_str(&format!("{key:<22} {value}\n"));
    line("file", shown(&absolute));
    line(
        "project root",
        settings
            .project
            .root()
            .map_or_else(|| "(none)".to_string(), |root| root.display().to_string()),
    );
    line(
        "module",
        model.module().map_or_else(
            || "(none)".to_string(),
            |module| {
                format!(
                    "{} (imports from {})",
                    module.name,
                    shown(&module.import_root)
                )
            },
        ),
    );
    line(
        "configuration",
        scope
            .config
            .as_deref()
            .map_or_else(|| "the defaults (no configuration file)".to_string(), shown),
    );
    line("rules", rules.join(", "));
    line(
        "max-session-writes",
        scope.rule_options.max_session_writes.to_string(),
    );
    line(
        "max-value-bytes",
        scope.rule_options.max_value_bytes.to_string(),
    );
    line("session names", model.session_names().join(", "));
    line("session backend", backend.name.clone());
    line("  serializer", backend.serializer.describe().to_string());
    line("  saves every request", saves.to_string());
    line("  found from", backend.evidence.clone());
    let attributes = settings.project.session_attributes();
    if !attributes.is_empty() {
        // `session.x` in a template is then the attribute, not a key.
        line("  object attributes", attributes.join(", "));
    }
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitStatus::Success,
        Err(_) => ExitStatus::Error,
    }
}
