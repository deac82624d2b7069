//! Where a pack's files come from: its folder, or its bundle. The loader reads every file through
//! [`PackFiles`], by the path its manifest writes, so a folder and its bundle load (and hash) the
//! same way.

use std::path::{Path, PathBuf};

use crate::bundle::read::Bundle;
use crate::error::LoadError;

/// A pack's folder, or its bundle.
pub(crate) enum PackFiles {
    /// A folder holding `pack.toml`.
    Folder(PathBuf),
    /// A bundle, read and checked.
    Bundle(Box<Bundle>),
}

impl PackFiles {
    /// The folder, or the bundle's label.
    pub(crate) fn dir(&self) -> &Path {
        match self {
            PackFiles::Folder(dir) => dir,
            PackFiles::Bundle(bundle) => &bundle.label,
        }
    }

    /// Where the file the manifest calls `relative` is, for messages (and, for a folder, to read).
    pub(crate) fn path(&self, relative: &Path) -> PathBuf {
        match self {
            PackFiles::Folder(dir) => dir.join(relative),
            PackFiles::Bundle(bundle) => bundle.path(relative),
        }
    }

    /// Whether the file the manifest calls `relative` is there.
    pub(crate) fn exists(&self, relative: &Path) -> bool {
        match self {
            PackFiles::Folder(dir) => dir.join(relative).exists(),
            PackFiles::Bundle(bundle) => bundle.file(relative).is_some(),
        }
    }

    /// The native code a bundle carries under `name` (see `crate::bundle::precompiled`); `None`
    /// for a folder.
    pub(crate) fn precompiled(&self, name: &str) -> Option<&[u8]> {
        match self {
            PackFiles::Folder(_) => None,
            PackFiles::Bundle(bundle) => bundle.precompiled(name),
        }
    }

    /// Whether the files carry precompiled code for the component the manifest calls `relative`,
    /// for any engine configuration (only a bundle written with it does).
    pub(crate) fn has_precompiled(&self, relative: &Path) -> bool {
        match self {
            PackFiles::Folder(_) => false,
            PackFiles::Bundle(bundle) => bundle.has_precompiled(relative),
        }
    }

    /// The bytes of the file the manifest calls `relative`.
    ///
    /// # Errors
    /// [`LoadError::Io`] for a folder's file that cannot be read; [`LoadError::Bundle`] for a path
    /// the bundle does not hold.
    pub(crate) fn read(&self, relative: &Path) -> Result<Vec<u8>, LoadError> {
        match self {
            PackFiles::Folder(dir) => {
                let path = dir.join(relative);
                std::fs::read(&path).map_err(|source| LoadError::Io { path, source })
            }
            PackFiles::Bundle(bundle) => {
                bundle
                    .file(relative)
                    .map(<[u8]>::to_vec)
                    .ok_or_else(|| LoadError::Bundle {
                        path: bundle.label.clone(),
                        message: format!("`{}` is not in the bundle", relative.display()),
                    })
            }
        }
    }
}
