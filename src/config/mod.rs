//! The run's settings: the command line, the configuration files (the
//! nearest one per directory), and the path patterns they hold.

pub(crate) mod cli;
pub(crate) mod file;
pub(crate) mod patterns;
pub(crate) mod settings;
