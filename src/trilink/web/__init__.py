"""A national node's own web application: the common operational picture and its REST API.

Sits on top of the network (may import anything). :func:`trilink.web.app.create_app` serves a
:class:`trilink.web.view.NodeView`: :class:`trilink.web.fake.FakeNodeView` for tests,
:class:`trilink.web.live.LiveNodeView` for a running node and its warning desk.
"""

__all__: list[str] = []
