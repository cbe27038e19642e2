"""A minimal FastAGI client that speaks as Asterisk does, for the routing service's tests and benchmark.

Pure Python (asyncio), no Odoo.
"""

import asyncio


async def agi_request(port, did, caller, *, script="route", hangup_after=None, args=None):
    """What Asterisk does for ``AGI(agi://127.0.0.1:port/route,did,caller)``: sends the AGI environment,
    answers ``200 result=1`` to every command until the server closes; returns {variable: value}.
    ``args``: other AGI arguments instead of (did, caller), e.g. a menu step's (menu id, digit, tries)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    env = {
        "agi_network": "yes",
        "agi_network_script": script,
        "agi_request": f"agi://127.0.0.1:{port}/{script}",
        "agi_channel": "PJSIP/trunk-00000001",
        "agi_uniqueid": "1767000000.1",
        "agi_callerid": caller,
        "agi_context": "cc-sub-route",
        "agi_extension": "s",
    }
    env |= {f"agi_arg_{i}": value for i, value in enumerate(args if args is not None else (did, caller), 1)}
    writer.write("".join(f"{k}: {v}\n" for k, v in env.items()).encode() + b"\n")
    await writer.drain()
    variables = {}
    try:
        while line := await reader.readline():
            command = line.decode().rstrip("\n")
            verb, _, rest = command.partition(" VARIABLE ")
            assert verb == "SET", command
            name, _, value = rest.partition(" ")
            assert value.startswith('"') and value.endswith('"'), command
            variables[name] = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            if hangup_after is not None and len(variables) >= hangup_after:
                writer.write(b"HANGUP\n")
            else:
                writer.write(b"200 result=1\n")
            await writer.drain()
    finally:
        writer.close()
    return variables
