"""Catalogued mistakes of stage 02-operations."""

from autograder.bugs import Bug


def _bug(name, cell, old, new, test, says, summary, fix):
    return Bug(name, '02-operations', cell, old, new, test, says, summary, fix)


MUL = "    return Value(self.data * other.data, (self, other), '*')"
ADD = "    return Value(self.data + other.data, (self, other), '+')"

BUGS = [
    _bug('mul-forgets-operand', 'ops-add-mul', "(self, other), '*')", "(self,), '*')",
         'ops-add-mul', 'is not linked to b', 'a product forgets one operand',
         "in __mul__, record both operands: Value(..., (self, other), '*')"),
    _bug('add-operands-reversed', 'ops-add-mul', "(self, other), '+')", "(other, self), '+')",
         'ops-structure', 'in that order', 'a sum stores its operands the wrong way round',
         "in __add__, store _prev as (self, other), in that order"),
    _bug('add-labelled-plus-word', 'ops-add-mul', "(self, other), '+')", "(self, other), 'add')",
         'ops-structure', "expected _op '+'", "a sum is labelled 'add'",
         "label a sum '+' and a product '*'"),
    _bug('number-left-unwrapped', 'ops-add-mul',
         "    other = other if isinstance(other, Value) else Value(other)\n" + ADD,
         "    if not isinstance(other, Value):\n"
         "        return Value(self.data + other, (self, other), '+')\n" + ADD,
         'ops-numbers', 'holds a plain', 'a plain number is left in _prev',
         'wrap a plain number in a Value first, so every operand in the graph is a Value'),
    _bug('add-mutates-self', 'ops-add-mul',
         "    other = other if isinstance(other, Value) else Value(other)\n" + ADD,
         "    other = other if isinstance(other, Value) else Value(other)\n"
         "    self.data = self.data + other.data\n"
         "    return Value(self.data, (self, other), '+')", 'ops-add-mul',
         'must not change its operands', 'addition changes its left operand',
         'compute the sum into the new Value; never assign to self.data'),
    _bug('pow-allows-bool', 'ops-pow',
         'if not isinstance(exponent, (int, float)) or isinstance(exponent, bool):',
         'if not isinstance(exponent, (int, float)):', 'ops-refusals', 'a ** True',
         'a bool exponent is accepted',
         'check isinstance(exponent, bool) too: True is an int to isinstance'),
    _bug('pow-complex-allowed', 'ops-pow', '    if isinstance(data, complex):', '    if False:',
         'ops-refusals', 'negative base with a fractional exponent',
         'a negative base with a fractional exponent is not refused',
         'raise ValueError when self.data ** exponent is complex'),
    _bug('pow-label-without-exponent', 'ops-pow', "f'**{exponent}')", "'**')",
         'ops-structure', "expected _op '**2'", 'a power is labelled without its exponent',
         "label a power f'**{exponent}', e.g. '**2'"),
    _bug('detached-sub', 'ops-neg-sub-div', 'return self + (-other)',
         'return Value(self.data - (other.data if isinstance(other, Value) else other))',
         'ops-neg-sub-div', 'must record the Values', 'subtraction makes a detached Value',
         'build a - b from the operations you have: return self + (-other)'),
    _bug('detached-truediv', 'ops-neg-sub-div', 'return self * other**-1',
         'return Value(self.data / (other.data if isinstance(other, Value) else other))',
         'ops-neg-sub-div', 'is not linked', 'division makes a detached Value',
         'build a / b from the operations you have: return self * other**-1'),
    _bug('sub-as-own-primitive', 'ops-neg-sub-div', 'return self + (-other)',
         "other = other if isinstance(other, Value) else Value(other)\n"
         "    return Value(self.data - other.data, (self, other), '-')", 'ops-structure',
         'built as a + (-b)', 'subtraction is a node of its own',
         "build a - b as self + (-other), so that it needs no derivative of its own"),
    _bug('neg-via-sub-from-zero', 'ops-neg-sub-div', 'return self * -1', 'return 0 - self',
         'ops-neg-sub-div', 'raised RecursionError', 'negation calls subtraction, which calls it',
         'build -a as self * -1'),
    _bug('missing-radd', 'ops-reflected', 'Value.__radd__ = __radd__\n', '',
         'ops-reflected', 'TypeError', 'no __radd__',
         'attach __radd__ so that 2 + a and sum() of Values work'),
    _bug('radd-leaves-number', 'ops-reflected', '    return self + other',
         "    return Value(self.data + other, (self, other), '+')", 'ops-reflected',
         'holds a plain', '__radd__ leaves a plain number in _prev',
         'build other + self as self + other, so the number is wrapped in a Value'),
    _bug('rsub-wrong-way-round', 'ops-reflected', 'return other + (-self)',
         'return self + (-other)', 'ops-reflected', 'b = 2.0 - a', '2 - a computes a - 2',
         'build other - self as other + (-self): the order matters'),
    _bug('rtruediv-wrong-way-round', 'ops-reflected', 'return other * self**-1',
         'return self * other**-1', 'ops-reflected', 'b = 2.0 / a', '2 / a computes a / 2',
         'build other / self as other * self**-1: the order matters'),
    _bug('radd-shortcut-for-zero', 'ops-reflected', '    return self + other',
         '    if other == 0:\n        return self\n    return self + other', 'ops-new-node',
         'returned a itself', '0 + a returns a itself',
         'always build a new node in __radd__, even for 0 + a'),
    _bug('relu-lets-negatives-through', 'ops-activations',
         "Value(0.0 if self.data < 0 else self.data, (self,), 'ReLU')",
         "Value(self.data, (self,), 'ReLU')", 'ops-activations', 'b = a.relu()',
         'relu lets negative numbers through', 'return 0.0 from relu when self.data < 0'),
    _bug('relu-label-lowercase', 'ops-activations', "(self,), 'ReLU')", "(self,), 'relu')",
         'ops-structure', "expected _op 'ReLU'", "relu is labelled 'relu'",
         "label relu 'ReLU', as the table says"),
    _bug('log-math-domain-error', 'ops-activations',
         "    if self.data <= 0:\n        raise ValueError(f'log of a non-positive number: "
         "Value(data={self.data})')\n", '', 'ops-refusals', 'math domain error',
         "log lets math.log's 'math domain error' through",
         'raise your own ValueError showing the value when self.data <= 0'),
    _bug('exp-is-e-times-x', 'ops-activations', 'Value(math.exp(self.data), (self,), \'exp\')',
         "Value(math.e * self.data, (self,), 'exp')", 'ops-activations', 'b = a.exp()',
         'exp multiplies by e instead of raising e to the power',
         'compute e ** x with math.exp(self.data)'),
]
