"""flasklint server under pytest-lsp: a client built on lsprotocol, which
checks every message the server sends against the protocol's types.

Run by `cargo test --test tools -- --include-ignored pytest_lsp` (CI does),
with the binary in FLASKLINT_BIN and the demo app copied to a temporary
directory.
"""

import os
import pathlib
import shutil

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

BINARY = os.environ["FLASKLINT_BIN"]
DEMO = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "demo"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(DEMO, root, dirs_exist_ok=True)
    return root


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BINARY, "server"]))
async def client(lsp_client: LanguageClient, demo):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                general=types.GeneralClientCapabilities(
                    position_encodings=[types.PositionEncodingKind.Utf8]
                )
            ),
            workspace_folders=[types.WorkspaceFolder(uri=demo.as_uri(), name="demo")],
        )
    )
    yield
    await lsp_client.shutdown_session()


def open_document(client, path, language="python"):
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=path.read_text()
            )
        )
    )
    return uri


@pytest.mark.asyncio(loop_scope="function")
async def test_diagnostics_actions_and_hover(client: LanguageClient, demo):
    assert client.capabilities is not None
    uri = open_document(client, demo / "shop" / "views" / "auth.py")
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    diagnostics = client.diagnostics[uri]
    assert [d.code for d in diagnostics] == ["FL101", "FL104", "FL106"]
    assert all(d.source == "flasklint" for d in diagnostics)
    assert diagnostics[0].range.start == types.Position(line=16, character=4)

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert [a.title for a in actions] == [
        "flasklint (FL101): Merge into one `session.update(...)` call",
        "flasklint (FL101): Disable for this line",
        "flasklint: Fix all safe fixes",
    ]
    assert actions[2].kind == "source.fixAll.flasklint"

    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=16, character=14),
        )
    )
    assert hover.contents.value.startswith("**session key `user_id`**")

    references = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=16, character=14),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert sorted(r.range.start.line for r in references) == [16, 24]


@pytest.mark.asyncio(loop_scope="function")
async def test_template_documents_get_fl106(client: LanguageClient, demo):
    uri = open_document(client, demo / "shop" / "templates" / "base.html", "html")
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert [d.code for d in client.diagnostics[uri]] == ["FL106"]
