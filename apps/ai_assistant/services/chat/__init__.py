"""The AI shopping assistant: grounded chat over the live index and the configurator.

`service.chat(message, session_id)` is the entry point; `engines` holds the built-in and OpenAI answer
engines, `tools` the read-only catalog tools both use, `parser` the built-in engine's understanding.
"""
