-- Headless Neovim LSP check (works on nvim 0.7.2, Debian 12, and on 0.8+).
--
--   LSP_CMD="node server.js --stdio" nvim --headless --clean -u NONE -i NONE -n \
--     -c "luafile test/editors/nvim-lsp-check.lua" file.sql
--
-- Env:
--   LSP_CMD          server command line, split on spaces (default "node server.js --stdio")
--   LSP_CMD_JSON     server command as a JSON array (wins over LSP_CMD; use for paths with spaces)
--   LSP_ROOT         root_dir (default: cwd)
--   LSP_WAIT_MS      how long to wait for diagnostics / each request (default 10000)
--   LSP_EXPECT_CODE  wait for a diagnostic with this code (default: any diagnostic); it is the
--                    target whose range the code actions are requested for
--   LSP_PULL         also send textDocument/diagnostic (pull, LSP 3.17; nvim < 0.10 never does)
--                    and feed the result into vim.diagnostic
--   LSP_APPLY        "1"/"true": apply the preferred (else first) action; any other value: apply
--                    the action whose title equals (else contains) it
--   LSP_AFTER_WAIT_MS  after applying, wait this long for the diagnostics to change (default 3000)
--
-- Output lines on stdout, each "<TAG> <json>":
--   PULL_DIAGNOSTICS, DIAGNOSTICS, CODE_ACTIONS, CODE_ACTION_ERROR, APPLIED, BUFFER_AFTER,
--   DIAGNOSTICS_AFTER
-- Exit: 0 ok; 1 no (matching) diagnostic within LSP_WAIT_MS; 2 client failed to start;
--       3 LSP_APPLY given but no matching action could be applied.
local function out(tag, value) io.stdout:write(tag .. ' ' .. value .. '\n') end
local function errln(s) io.stderr:write(s .. '\n') end
local json_encode = (vim.json and vim.json.encode) or vim.fn.json_encode
local json_decode = (vim.json and vim.json.decode) or vim.fn.json_decode
local function getenv(name, default)
  local v = os.getenv(name)
  if v == nil or v == '' then return default end
  return v
end

local cmd
if getenv('LSP_CMD_JSON') then
  cmd = json_decode(getenv('LSP_CMD_JSON'))
else
  cmd = vim.split(getenv('LSP_CMD', 'node server.js --stdio'), ' ', { trimempty = true })
end
local timeout = tonumber(getenv('LSP_WAIT_MS', '10000'))
local after_wait = tonumber(getenv('LSP_AFTER_WAIT_MS', '3000'))
local expect = getenv('LSP_EXPECT_CODE')
local apply = getenv('LSP_APPLY')
local bufnr = vim.api.nvim_get_current_buf()

local function finish(code)
  vim.cmd(code == 0 and 'qall!' or ('cquit ' .. code))
end

local client_id = vim.lsp.start_client({
  name = 'lsp-check',
  cmd = cmd,
  root_dir = getenv('LSP_ROOT', vim.fn.getcwd()),
  on_exit = function(code, signal) errln(('SERVER_EXIT code=%s signal=%s'):format(code, signal)) end,
})
if not client_id then
  out('ERROR', json_encode('failed to start client'))
  finish(2)
  return
end
vim.lsp.buf_attach_client(bufnr, client_id)
local function client() return vim.lsp.get_client_by_id(client_id) end
local function encoding()
  local c = client()
  return (c and c.offset_encoding) or 'utf-16'
end

local function pull()
  vim.wait(timeout, function() local c = client(); return c and c.initialized end, 20)
  local uri = vim.uri_from_bufnr(bufnr)
  local res = vim.lsp.buf_request_sync(bufnr, 'textDocument/diagnostic', { textDocument = { uri = uri } }, timeout) or {}
  for _, r in pairs(res) do
    out('PULL_DIAGNOSTICS', json_encode(r.result or { error = r.err }))
    if r.result and r.result.items then
      vim.lsp.diagnostic.on_publish_diagnostics(nil, { uri = uri, diagnostics = r.result.items },
        { client_id = client_id, method = 'textDocument/publishDiagnostics' }, {})
    end
  end
end

local function simple_diags()
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(list, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, message = d.message, source = d.source, code = d.code })
  end
  return list
end

local function find_target()
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if not expect or tostring(d.code) == expect then return d end
  end
  return nil
end

if getenv('LSP_PULL') then pull() end
local ok = vim.wait(timeout, function() return find_target() ~= nil end, 20)
out('DIAGNOSTICS', json_encode(simple_diags()))

-- vim.diagnostic columns are byte offsets; convert to the client's encoding.
local function lsp_char(lnum, col)
  if encoding() == 'utf-8' then return col end
  local line = vim.api.nvim_buf_get_lines(bufnr, lnum, lnum + 1, false)[1]
  if not line then return col end
  if col > #line then col = #line end
  local okc, u32, u16 = pcall(vim.str_utfindex, line, col)
  if not okc then return col end
  return encoding() == 'utf-32' and u32 or u16
end

local function to_lsp(d)
  local orig = (d.user_data and d.user_data.lsp) or {}
  if orig.range then return orig end -- nvim 0.8+ keeps the whole LSP diagnostic
  return vim.tbl_extend('keep', {
    range = { start = { line = d.lnum, character = lsp_char(d.lnum, d.col) },
      ['end'] = { line = d.end_lnum, character = lsp_char(d.end_lnum, d.end_col) } },
    message = d.message, severity = d.severity, source = d.source, code = d.code,
  }, orig) -- 0.7 keeps only code/tags/data/... in user_data.lsp
end

local function apply_action(action)
  local c = client()
  local enc = encoding()
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  if not action.edit and not action.command and action.data ~= nil then
    local res = vim.lsp.buf_request_sync(bufnr, 'codeAction/resolve', action, timeout) or {}
    for _, r in pairs(res) do if r.result then action = r.result end end
  end
  if action.edit then vim.lsp.util.apply_workspace_edit(action.edit, enc) end
  local command = type(action.command) == 'table' and action.command or (type(action.command) == 'string' and action or nil)
  if command and c then
    -- the server may answer with workspace/applyEdit, which nvim's default handler applies
    vim.lsp.buf_request_sync(bufnr, 'workspace/executeCommand',
      { command = command.command, arguments = command.arguments }, timeout)
    vim.wait(timeout, function() return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick end, 20)
  end
  return action.edit ~= nil or command ~= nil
end

local exit_code = ok and 0 or 1
if ok then
  local target = find_target()
  local context_diags = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.lnum <= target.end_lnum and d.end_lnum >= target.lnum then table.insert(context_diags, to_lsp(d)) end
  end
  local target_lsp = to_lsp(target)
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, range = target_lsp.range,
    context = { diagnostics = context_diags } }
  local res = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, timeout) or {}
  local actions = {}
  for _, r in pairs(res) do
    if r.err then out('CODE_ACTION_ERROR', json_encode(r.err)) end
    for _, a in ipairs(r.result or {}) do table.insert(actions, a) end
  end
  out('CODE_ACTIONS', json_encode(actions))

  if apply then
    local chosen
    if apply == '1' or apply == 'true' then
      for _, a in ipairs(actions) do if a.isPreferred and not chosen then chosen = a end end
      chosen = chosen or actions[1]
    else
      for _, a in ipairs(actions) do if a.title == apply and not chosen then chosen = a end end
      for _, a in ipairs(actions) do if not chosen and a.title and a.title:find(apply, 1, true) then chosen = a end end
    end
    if chosen and apply_action(chosen) then
      out('APPLIED', json_encode(chosen.title))
      out('BUFFER_AFTER', json_encode(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)))
      local before = json_encode(simple_diags())
      if getenv('LSP_PULL') then pull() end
      vim.wait(after_wait, function() return json_encode(simple_diags()) ~= before end, 20)
      out('DIAGNOSTICS_AFTER', json_encode(simple_diags()))
    else
      out('APPLIED', json_encode(vim.NIL))
      exit_code = 3
    end
  end
end

vim.lsp.stop_client(client_id)
if not vim.wait(2000, function() return client() == nil end, 20) then vim.lsp.stop_client(client_id, true) end
finish(exit_code)
