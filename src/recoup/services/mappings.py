"""Import options from the command line and saved mapping files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from recoup.imports.fields import Kind
from recoup.imports.mapping import (
    Options,
    load_mapping_file,
    parse_map_options,
    save_mapping_file,
)
from recoup.imports.problems import InputError


class OptionsError(ValueError):
    def __init__(self, err: InputError) -> None:
        super().__init__(str(err))
        self.problems = err.problems


def load_options(maps: list[str], mapping_file: Path | None, given: Options) -> Options:
    """`given` and `--map` options over a saved mapping file's."""
    try:
        base = load_mapping_file(mapping_file) if mapping_file else Options()
        given.columns = parse_map_options(maps)
    except InputError as err:
        raise OptionsError(err) from None
    return given.merged_over(base)


def save_options(
    path: Path, kind: Kind, options: Options, used: dict[str, str] | None = None
) -> None:
    """Save `options` as a mapping file, with the columns the import `used` (detected or
    given: `ImportReport.columns`) in place of the given ones, so that the file with
    `--mapping` reads the next export as this one was read."""
    columns = used or options.columns
    save_mapping_file(path, kind, replace(options, columns=dict(columns)))
