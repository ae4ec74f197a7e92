"""A progress bar on stderr, with no dependency: redrawn in place on a terminal,
one line per item when stderr is a file or a pipe (logs stay readable)."""

import re
import shutil
import sys
import time

_CONTROL = re.compile(r'[\x00-\x08\x0b-\x1f\x7f-\x9f]')


def terminal_text(text):
    """Text safe to print on a terminal: control characters (escape sequences, carriage
    returns, bells) that learner text may hold become visible escapes; newlines stay."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(text))


class Progress:
    def __init__(self, total, stream=None, width=30):
        self.total, self.done, self.width = total, 0, width
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.started = time.perf_counter()

    def advance(self, label):
        label = terminal_text(label).replace('\n', ' ')
        self.done += 1
        counter = f'{self.done:>{len(str(self.total))}}/{self.total}'
        if not self.live:
            self._print(f'[{counter}] {label}')
            return
        filled = self.width * self.done // max(self.total, 1)
        bar = '#' * filled + '.' * (self.width - filled)
        line = f'[{bar}] {counter} {self._eta()} {label}'
        columns = shutil.get_terminal_size().columns
        self.stream.write('\r' + line[:columns - 1].ljust(columns - 1))
        self.stream.flush()

    def note(self, message):
        """A message that must stay on screen (an error), printed above the bar."""
        if self.live:
            self.stream.write('\r' + ' ' * (shutil.get_terminal_size().columns - 1) + '\r')
        self._print(terminal_text(message))

    def close(self):
        if self.live and self.done:
            self.stream.write('\n')
            self.stream.flush()

    def _eta(self):
        elapsed = time.perf_counter() - self.started
        left = elapsed / self.done * (self.total - self.done)
        return f'{left:4.0f}s left'

    def _print(self, text):
        print(text, file=self.stream, flush=True)
