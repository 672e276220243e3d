-- Drives `flasklint server` from headless Neovim 0.7 (Debian's), as a user's
-- config would: start the client, open a file of the demo app, wait for
-- its diagnostics, ask for the code actions on the first one. Writes what
-- it saw as JSON to $FLASKLINT_NVIM_OUT, then quits.
local binary = os.getenv("FLASKLINT_BIN")
local root = os.getenv("FLASKLINT_ROOT")
local file = os.getenv("FLASKLINT_FILE")
local out = os.getenv("FLASKLINT_NVIM_OUT")

local result = { errors = {} }
local function finish()
  local handle = io.open(out, "w")
  handle:write(vim.fn.json_encode(result))
  handle:close()
  vim.cmd("qall!")
end

local ok, err = pcall(function()
  local client_id = vim.lsp.start_client({
    name = "flasklint",
    cmd = { binary, "server" },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = "demo" } },
    on_error = function(code) table.insert(result.errors, "client error " .. tostring(code)) end,
  })
  result.client_started = client_id ~= nil
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = "python"
  vim.lsp.buf_attach_client(bufnr, client_id)
  local got = vim.wait(60000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
  result.diagnostics_arrived = got
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, {
      lnum = d.lnum, col = d.col, source = d.source, message = d.message,
      severity = d.severity,
      code = d.user_data and d.user_data.lsp and d.user_data.lsp.code or d.code,
    })
  end
  table.sort(result.diagnostics, function(a, b) return a.lnum < b.lnum end)
  local first = result.diagnostics[1]
  if first then
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      range = { start = { line = first.lnum, character = first.col }, ["end"] = { line = first.lnum, character = first.col } },
      context = { diagnostics = {} },
    }
    local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, 60000)
    result.actions = {}
    for _, response in pairs(responses or {}) do
      for _, action in ipairs(response.result or {}) do
        table.insert(result.actions, action.title)
      end
    end
    -- Apply the disable-for-this-line action as the editor would.
    for _, response in pairs(responses or {}) do
      for _, action in ipairs(response.result or {}) do
        if action.title:find("Disable for this line") and action.edit then
          vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
          result.line_after_noqa = vim.api.nvim_buf_get_lines(bufnr, first.lnum, first.lnum + 1, false)[1]
          break
        end
      end
    end
  end
  local client = vim.lsp.get_client_by_id(client_id)
  client.stop()
  vim.wait(10000, function() return client.is_stopped() end, 50)
  result.stopped = client.is_stopped()
end)
if not ok then table.insert(result.errors, tostring(err)) end
finish()
