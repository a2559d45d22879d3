-- wrk_features.lua - wrk script: POSTs feature requests, cycling through the JSON bodies of a file (wrk ... -- FILE).
local bodies = {}
local next_body = 0

function init(args)
    for line in io.lines(args[1]) do
        if #line > 0 then
            bodies[#bodies + 1] = line
        end
    end
    assert(#bodies > 0, "no request bodies in " .. tostring(args[1]))
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
end

function request()
    next_body = next_body % #bodies + 1
    return wrk.format(nil, nil, nil, bodies[next_body])
end
