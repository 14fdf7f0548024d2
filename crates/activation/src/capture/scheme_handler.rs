//! Whether this app is the Linux desktop's handler of a URI scheme, read from the
//! freedesktop files (`mimeapps.list`, the handler's desktop entry) without starting
//! `xdg-mime`.
//!
//! Contract: [`own_handler`] answers [`Handler::Ours`] only when `xdg-mime query default`
//! would name the app's handler entry *and* that entry starts this very executable for the
//! scheme; [`Handler::Stale`] when the default is the app's entry but the entry starts another
//! executable or lacks the scheme (a moved or updated app: registering again fixes it);
//! [`Handler::Unknown`] in every other case, where the caller asks `xdg-mime` as before. A
//! positive answer is never guessed: a file that cannot be read, a desktop-specific list, a
//! default naming another entry, all give `Unknown`.
//!
//! Why: `xdg-mime` is a shell script that starts a dozen processes; at the app's start, on two
//! cores, it took ~35 ms from WebKit's start. Reading two small files takes microseconds.
//!
//! The lookup mirrors `xdg-mime`'s generic backend (xdg-utils 1.1): for each folder in
//! `$XDG_CONFIG_HOME`, `$XDG_CONFIG_DIRS`, then `applications/` under `$XDG_DATA_HOME` and
//! `$XDG_DATA_DIRS`, the files `<desktop>-mimeapps.list` (for each of `$XDG_CURRENT_DESKTOP`)
//! and `mimeapps.list`; in the first that names a default for the type, the first entry
//! counts.

use std::path::{Path, PathBuf};

/// What the desktop files say about the app's handler of one scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handler {
    /// The default handler is the app's entry, and it starts this executable for the scheme.
    Ours,
    /// The default handler is the app's entry, but the entry starts another executable or
    /// does not list the scheme: registering again makes it this app's.
    Stale,
    /// Cannot be told from the files: ask `xdg-mime`.
    Unknown,
}

/// The folders the lookup reads, as the XDG base directory variables give them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesktopDirs {
    pub config_home: PathBuf,
    pub config_dirs: Vec<PathBuf>,
    pub data_home: PathBuf,
    pub data_dirs: Vec<PathBuf>,
    /// `$XDG_CURRENT_DESKTOP`, split at `:`.
    pub desktops: Vec<String>,
}

impl DesktopDirs {
    /// The folders from the environment, with `xdg-mime`'s defaults for unset variables.
    /// `None` without a home folder.
    #[must_use]
    pub fn from_env() -> Option<Self> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// As [`from_env`](Self::from_env), reading variables through `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let set = |name: &str| var(name).filter(|v| !v.is_empty());
        let home = set("HOME").map(PathBuf::from);
        let one = |name: &str, fallback: &str| match set(name) {
            Some(v) => Some(PathBuf::from(v)),
            None => home.as_ref().map(|h| h.join(fallback)),
        };
        let list = |name: &str, fallback: &str| -> Vec<PathBuf> {
            set(name)
                .unwrap_or_else(|| fallback.to_string())
                .split(':')
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
                .collect()
        };
        Some(Self {
            config_home: one("XDG_CONFIG_HOME", ".config")?,
            config_dirs: list("XDG_CONFIG_DIRS", "/etc/xdg"),
            data_home: one("XDG_DATA_HOME", ".local/share")?,
            data_dirs: list("XDG_DATA_DIRS", "/usr/local/share/:/usr/share/"),
            desktops: set("XDG_CURRENT_DESKTOP")
                .map(|d| d.split(':').filter(|d| !d.is_empty()).map(str::to_string).collect())
                .unwrap_or_default(),
        })
    }

    /// The `mimeapps.list` files in the order `xdg-mime` reads them.
    fn lists(&self) -> Vec<PathBuf> {
        let folders = std::iter::once(self.config_home.clone())
            .chain(self.config_dirs.iter().cloned())
            .chain(std::iter::once(self.data_home.join("applications")))
            .chain(self.data_dirs.iter().map(|d| d.join("applications")));
        let names: Vec<String> = self
            .desktops
            .iter()
            .map(|d| format!("{}-mimeapps.list", d.to_ascii_lowercase()))
            .chain(std::iter::once("mimeapps.list".to_string()))
            .collect();
        folders.flat_map(|dir| names.iter().map(move |n| dir.join(n)).collect::<Vec<_>>()).collect()
    }
}

/// Whether the app's handler entry `entry_name` (e.g. `fortnox-activator-handler.desktop`,
/// kept in `entry_dir`) is the default for `scheme` and starts `exec_line` (the entry's whole
/// `Exec` value, e.g. `"/usr/bin/fortnox-activator" %u`). See the module's contract.
#[must_use]
pub fn own_handler(dirs: &DesktopDirs, scheme: &str, entry_dir: &Path, entry_name: &str, exec_line: &str) -> Handler {
    // xdg-mime finds the entry in the first data folder that has it; the app keeps its entry
    // under $XDG_DATA_HOME, so a different folder cannot be vouched for.
    if entry_dir != dirs.data_home.join("applications") {
        return Handler::Unknown;
    }
    let mime = format!("x-scheme-handler/{scheme}");
    let Some(default) = dirs.lists().iter().find_map(|list| first_default(list, &mime)) else {
        return Handler::Unknown;
    };
    if default != entry_name {
        return Handler::Unknown;
    }
    let Ok(entry) = std::fs::read_to_string(entry_dir.join(entry_name)) else {
        return Handler::Unknown;
    };
    let (exec, types) = desktop_entry(&entry);
    if exec.as_deref() == Some(exec_line) && types.iter().any(|t| t == &mime) {
        Handler::Ours
    } else {
        Handler::Stale
    }
}

/// The desktop entry `xdg-mime query default x-scheme-handler/<scheme>` would name (the
/// same lookup as [`own_handler`]'s), if the files name one.
#[must_use]
pub fn default_entry(dirs: &DesktopDirs, scheme: &str) -> Option<String> {
    let mime = format!("x-scheme-handler/{scheme}");
    dirs.lists().iter().find_map(|list| first_default(list, &mime))
}

/// The `Name` of desktop entry `entry` (as found under `applications/` in the data folders,
/// the user's first), for telling a person which program it is; `None` when it cannot be
/// found or has no name.
#[must_use]
pub fn entry_name(dirs: &DesktopDirs, entry: &str) -> Option<String> {
    if entry.contains('/') || entry.contains("..") {
        return None;
    }
    std::iter::once(&dirs.data_home).chain(dirs.data_dirs.iter()).find_map(|d| {
        let text = std::fs::read_to_string(d.join("applications").join(entry)).ok()?;
        let mut in_entry = false;
        text.lines().find_map(|line| {
            let line = line.trim_end();
            if line.starts_with('[') {
                in_entry = line == "[Desktop Entry]";
                None
            } else if in_entry {
                line.strip_prefix("Name=").map(str::trim).filter(|n| !n.is_empty()).map(str::to_string)
            } else {
                None
            }
        })
    })
}

/// The first entry a `mimeapps.list` names as the default for `mime`, read as `xdg-mime`
/// reads it: the first line `mime=` under a `[Default Applications]` header, up to its first
/// `;`. `None` when the file cannot be read or names none.
fn first_default(list: &Path, mime: &str) -> Option<String> {
    let text = std::fs::read_to_string(list).ok()?;
    default_in(&text, mime)
}

fn default_in(text: &str, mime: &str) -> Option<String> {
    let prefix = format!("{mime}=");
    let mut in_defaults = false;
    for line in text.lines() {
        if line.starts_with("[Default Applications]") {
            in_defaults = true;
        } else if line.starts_with('[') {
            in_defaults = false;
        } else if in_defaults {
            if let Some(value) = line.strip_prefix(&prefix) {
                // xdg-mime takes the first entry of the first such line, even an empty one,
                // and goes on to the next file when it is empty.
                let first = value.split(';').next().unwrap_or("");
                return (!first.is_empty()).then(|| first.to_string());
            }
        }
    }
    None
}

/// The `Exec` value and the `MimeType` list of a desktop entry's `[Desktop Entry]` group.
fn desktop_entry(text: &str) -> (Option<String>, Vec<String>) {
    let mut in_entry = false;
    let (mut exec, mut types) = (None, Vec::new());
    for line in text.lines() {
        let line = line.trim_end();
        if line.starts_with('[') {
            in_entry = line == "[Desktop Entry]";
        } else if in_entry {
            let Some((key, value)) = line.split_once('=') else { continue };
            match key.trim() {
                "Exec" => exec = Some(value.trim().to_string()),
                "MimeType" => {
                    types = value.split(';').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect()
                }
                _ => {}
            }
        }
    }
    (exec, types)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: &str = "fortnox-activator-handler.desktop";
    const EXEC: &str = "\"/opt/fa/fortnox-activator\" %u";

    struct Home {
        _dir: tempfile::TempDir,
        dirs: DesktopDirs,
    }

    impl Home {
        fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().to_path_buf();
            let dirs = DesktopDirs {
                config_home: root.join("config"),
                config_dirs: vec![root.join("etc-xdg")],
                data_home: root.join("data"),
                data_dirs: vec![root.join("usr-share")],
                desktops: vec![],
            };
            for d in [
                &dirs.config_home,
                &dirs.config_dirs[0],
                &dirs.data_home.join("applications"),
                &dirs.data_dirs[0].join("applications"),
            ] {
                std::fs::create_dir_all(d).unwrap();
            }
            Self { _dir: dir, dirs }
        }
        fn apps(&self) -> PathBuf {
            self.dirs.data_home.join("applications")
        }
        fn write(&self, path: &Path, text: &str) {
            std::fs::write(path, text).unwrap();
        }
        fn entry(&self, exec: &str, types: &str) {
            self.write(&self.apps().join(ENTRY), &format!("[Desktop Entry]\nType=Application\nName=Fortnox Activator\nExec={exec}\nMimeType={types}\nNoDisplay=true\n"));
        }
        fn check(&self, scheme: &str) -> Handler {
            own_handler(&self.dirs, scheme, &self.apps(), ENTRY, EXEC)
        }
    }

    /// What `xdg-mime default` leaves after the plugin registered the app.
    fn registered() -> Home {
        let home = Home::new();
        home.entry(EXEC, "x-scheme-handler/se.fortnoxactivator.app;x-scheme-handler/se.example.app;");
        home.write(&home.dirs.config_home.join("mimeapps.list"), &format!("[Default Applications]\nx-scheme-handler/se.fortnoxactivator.app={ENTRY}\nx-scheme-handler/se.example.app={ENTRY}\n\n[Added Associations]\nx-scheme-handler/se.fortnoxactivator.app={ENTRY};\n"));
        home
    }

    #[test]
    fn the_current_default_and_its_name_are_read_from_the_files() {
        let home = Home::new();
        assert_eq!(default_entry(&home.dirs, "se.example.erp"), None);
        home.write(
            &home.dirs.config_home.join("mimeapps.list"),
            "[Default Applications]\nx-scheme-handler/se.example.erp=erp-client.desktop;other.desktop\n",
        );
        home.write(
            &home.dirs.data_dirs[0].join("applications/erp-client.desktop"),
            "[Desktop Entry]\nType=Application\nName=Example ERP\nExec=erp %u\n[Desktop Action x]\nName=Other\n",
        );
        assert_eq!(default_entry(&home.dirs, "se.example.erp").as_deref(), Some("erp-client.desktop"));
        assert_eq!(entry_name(&home.dirs, "erp-client.desktop").as_deref(), Some("Example ERP"));
        assert_eq!(entry_name(&home.dirs, "missing.desktop"), None);
        assert_eq!(entry_name(&home.dirs, "../erp-client.desktop"), None);
    }

    #[test]
    fn a_registered_app_is_told_from_the_files() {
        let home = registered();
        assert_eq!(home.check("se.fortnoxactivator.app"), Handler::Ours);
        assert_eq!(home.check("se.example.app"), Handler::Ours);
    }

    #[test]
    fn nothing_registered_or_another_handler_is_left_to_xdg_mime() {
        let home = Home::new();
        assert_eq!(home.check("se.fortnoxactivator.app"), Handler::Unknown);
        let home = registered();
        assert_eq!(home.check("se.other.app"), Handler::Unknown, "a scheme no list names");
        home.write(&home.dirs.config_home.join("mimeapps.list"), "[Default Applications]\nx-scheme-handler/se.fortnoxactivator.app=other.desktop;fortnox-activator-handler.desktop\n");
        assert_eq!(home.check("se.fortnoxactivator.app"), Handler::Unknown, "only the first entry counts");
    }

    #[test]
    fn a_moved_app_or_an_entry_without_the_scheme_is_stale() {
        let home = registered();
        home.entry("\"/home/a/Downloads/fortnox-activator\" %u", "x-scheme-handler/se.fortnoxactivator.app;");
        assert_eq!(home.check("se.fortnoxactivator.app"), Handler::Stale);
        home.entry(EXEC, "x-scheme-handler/se.fortnoxactivator.app;");
        assert_eq!(home.check("se.example.app"), Handler::Stale);
        assert_eq!(home.check("se.fortnoxactivator.app"), Handler::Ours);
    }

    #[test]
    fn the_first_list_that_names_a_default_decides_as_in_xdg_mime() {
        let home = registered();
        // A desktop-specific list in the same folder comes first.
        let mut dirs = home.dirs.clone();
        dirs.desktops = vec!["GNOME".into()];
        home.write(
            &dirs.config_home.join("gnome-mimeapps.list"),
            "[Default Applications]\nx-scheme-handler/se.fortnoxactivator.app=other.desktop\n",
        );
        assert_eq!(own_handler(&dirs, "se.fortnoxactivator.app", &home.apps(), ENTRY, EXEC), Handler::Unknown);
        assert_eq!(home.check("se.fortnoxactivator.app"), Handler::Ours, "without that desktop the list is not read");
        // A list later in the order does not override the user's.
        home.write(
            &home.dirs.data_dirs[0].join("applications/mimeapps.list"),
            "[Default Applications]\nx-scheme-handler/se.fortnoxactivator.app=other.desktop\n",
        );
        assert_eq!(home.check("se.fortnoxactivator.app"), Handler::Ours);
        // A default outside [Default Applications] does not count; an empty one passes on.
        home.write(&home.dirs.config_home.join("mimeapps.list"), &format!("[Added Associations]\nx-scheme-handler/se.fortnoxactivator.app={ENTRY}\n[Default Applications]\nx-scheme-handler/se.fortnoxactivator.app=\n"));
        home.write(
            &home.dirs.config_dirs[0].join("mimeapps.list"),
            &format!("[Default Applications]\nx-scheme-handler/se.fortnoxactivator.app={ENTRY};\n"),
        );
        assert_eq!(home.check("se.fortnoxactivator.app"), Handler::Ours);
    }

    #[test]
    fn an_entry_kept_elsewhere_than_the_data_home_is_not_vouched_for() {
        let home = registered();
        let elsewhere = home.dirs.data_dirs[0].join("applications");
        assert_eq!(own_handler(&home.dirs, "se.fortnoxactivator.app", &elsewhere, ENTRY, EXEC), Handler::Unknown);
    }

    /// The files' answer against `xdg-mime query default` itself, in the same folders, for
    /// each arrangement: wherever the files say `Ours`, xdg-mime names the app's entry.
    /// setup.sh installs xdg-utils; on a machine without it there is nothing to compare with.
    #[test]
    #[cfg(target_os = "linux")]
    fn where_the_files_say_ours_xdg_mime_names_the_apps_entry() {
        if std::process::Command::new("xdg-mime").arg("--version").output().is_err() {
            eprintln!("xdg-mime is not installed: nothing to compare with");
            return;
        }
        // xdg-mime resolves the entry's Exec to a program that exists.
        let exec = "\"/bin/sh\" %u";
        let query = |home: &Home, scheme: &str| -> String {
            let d = &home.dirs;
            let out = std::process::Command::new("xdg-mime")
                .args(["query", "default", &format!("x-scheme-handler/{scheme}")])
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", d.data_home.parent().unwrap())
                .env("XDG_CONFIG_HOME", &d.config_home)
                .env("XDG_CONFIG_DIRS", &d.config_dirs[0])
                .env("XDG_DATA_HOME", &d.data_home)
                .env("XDG_DATA_DIRS", &d.data_dirs[0])
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or("").trim().to_string()
        };
        let lists: [(&str, &str); 5] = [
            ("config", "[Default Applications]\nx-scheme-handler/se.a.app=fortnox-activator-handler.desktop\n"),
            (
                "config",
                "[Default Applications]\nx-scheme-handler/se.a.app=other.desktop;fortnox-activator-handler.desktop;\n",
            ),
            ("config", "[Added Associations]\nx-scheme-handler/se.a.app=fortnox-activator-handler.desktop;\n"),
            ("etc", "[Default Applications]\nx-scheme-handler/se.a.app=fortnox-activator-handler.desktop;\n"),
            ("data", "[Default Applications]\nx-scheme-handler/se.a.app=fortnox-activator-handler.desktop;\n"),
        ];
        let mut ours = 0;
        for (where_, text) in lists {
            let home = Home::new();
            home.entry(exec, "x-scheme-handler/se.a.app;");
            let dir = match where_ {
                "config" => home.dirs.config_home.clone(),
                "etc" => home.dirs.config_dirs[0].clone(),
                _ => home.apps(),
            };
            home.write(&dir.join("mimeapps.list"), text);
            let files = own_handler(&home.dirs, "se.a.app", &home.apps(), ENTRY, exec);
            let xdg = query(&home, "se.a.app");
            if files == Handler::Ours {
                ours += 1;
                assert_eq!(xdg, ENTRY, "{where_}: {text}");
            } else {
                assert_eq!(files, Handler::Unknown, "{where_}: {text}");
            }
        }
        assert_eq!(ours, 3, "the arrangements where the files can tell");
    }

    #[test]
    fn the_folders_follow_the_variables_with_xdg_mimes_defaults() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        let d = DesktopDirs::from_vars(vars(&[("HOME", "/home/a")])).unwrap();
        assert_eq!(d.config_home, PathBuf::from("/home/a/.config"));
        assert_eq!(d.config_dirs, vec![PathBuf::from("/etc/xdg")]);
        assert_eq!(d.data_home, PathBuf::from("/home/a/.local/share"));
        assert_eq!(d.data_dirs, vec![PathBuf::from("/usr/local/share/"), PathBuf::from("/usr/share/")]);
        assert!(d.desktops.is_empty());
        let d = DesktopDirs::from_vars(vars(&[
            ("HOME", "/h"),
            ("XDG_CONFIG_HOME", "/c"),
            ("XDG_DATA_HOME", ""),
            ("XDG_DATA_DIRS", "/x:/y"),
            ("XDG_CURRENT_DESKTOP", "ubuntu:GNOME"),
        ]))
        .unwrap();
        assert_eq!(d.config_home, PathBuf::from("/c"));
        assert_eq!(d.data_home, PathBuf::from("/h/.local/share"), "an empty variable counts as unset");
        assert_eq!(d.data_dirs, vec![PathBuf::from("/x"), PathBuf::from("/y")]);
        assert_eq!(d.desktops, vec!["ubuntu".to_string(), "GNOME".to_string()]);
        assert!(d.lists().iter().take(3).map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).eq([
            "ubuntu-mimeapps.list",
            "gnome-mimeapps.list",
            "mimeapps.list"
        ]));
        assert_eq!(DesktopDirs::from_vars(vars(&[])), None, "no home, no answer");
    }
}
