import socket

import pytest


@pytest.fixture
def no_network(monkeypatch):
    """Any connection attempt fails the test: shipped configs must build offline."""
    def refuse(*args, **kwargs):
        raise AssertionError(f'a config build tried to reach the network: {args}')

    monkeypatch.setattr(socket.socket, 'connect', refuse)
    monkeypatch.setattr(socket, 'create_connection', refuse)
