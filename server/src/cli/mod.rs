//! Command-line tools beside the server: the catalog's import (and, to come, its legacy migration and generator).

pub mod catalog;
