"""A progress bar on stderr, with no dependency: redrawn in place on a terminal,
one line per item when stderr is a file or a pipe (logs stay readable)."""

import shutil
import sys
import time


class Progress:
    def __init__(self, total, stream=None, width=30):
        self.total, self.done, self.width = total, 0, width
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.started = time.perf_counter()

    def advance(self, label):
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
        self._print(message)

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
