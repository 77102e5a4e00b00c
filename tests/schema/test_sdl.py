from schema.sdl import REGENERATE_COMMAND, print_sdl, sdl_path


def test_checked_in_sdl_matches_the_code() -> None:
    checked_in = sdl_path().read_text(encoding="utf-8")

    printed = print_sdl()

    assert printed == checked_in, (
        f"schema/schema.graphql is out of date; regenerate it with `{REGENERATE_COMMAND}`"
    )
