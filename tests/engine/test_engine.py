"""Engine behaviour: passes, the processing chain, note lifetimes."""

import numpy as np


def test_init_pass_runs_once_and_perf_pass_every_block(rig):
    r = rig("gi1 init 0\ngk1 init 0\ninstr 1\ngi1 = gi1 + 1\ngk1 = gk1 + 1\nendin\n")
    r.note(1, 0, 0.05)
    r.run(10)
    assert r.g("gi1") == 1.0
    assert r.g("gk1") == 5.0  # 0.05 s at kr = 100


def test_globals_written_by_a_lower_instrument_are_seen_in_the_same_block(rig):
    r = rig("gk1 init 0\ngk2 init 0\ninstr 1\ngk1 = gk1 + 1\nendin\n"
            "instr 2\ngk2 = gk1\nendin\n")
    r.note(2, 0, 0.03)
    r.note(1, 0, 0.03)
    r.run(3)
    assert r.g("gk2") == 3.0


def test_k_assignment_does_not_run_at_init(rig):
    r = rig("gi1 init -1\ninstr 1\nk1 = 5\ngi1 = i(k1)\nendin\n")
    r.note(1, 0, 0.01)
    r.run(1)
    assert r.g("gi1") == 0.0


def test_k_rate_loop_with_kgoto(rig):
    r = rig("gk1 init 0\ninstr 1\nkc = 0\nloop:\nkc += 1\nif kc < 4 kgoto loop\ngk1 = kc\nendin\n")
    r.note(1, 0, 0.01)
    r.run(1)
    assert r.g("gk1") == 4.0


def test_a_of_k_ramps_from_the_previous_value(rig):
    r = rig("ga1 init 0\ninstr 1\nk1 init 0\nk1 = k1 + 1\nga1 = a(k1)\nendin\n")
    r.note(1, 0, 0.02)
    r.run(1)
    assert np.allclose(r.engine.gvars["ga1"], np.arange(1, 11) / 10.0)


def test_note_ends_at_the_nearest_block_and_instance_is_reused(rig):
    r = rig("gk1 init 0\ninstr 1\ngk1 = gk1 + 1\nendin\n")
    r.note(1, 0, 0.02)
    r.note(1, 0.05, 0.02)
    r.run(10)
    assert r.g("gk1") == 4.0
    assert len(r.engine.instruments[1].free) == 1


def test_while_loop_at_i_time(rig):
    r = rig("gi1 init 0\ninstr 1\nic = 0\nwhile ic < 5 do\nic += 1\nod\ngi1 = ic\nendin\n")
    r.note(1, 0, 0.01)
    r.run(1)
    assert r.g("gi1") == 5.0


def test_udo_with_k_input_and_output(rig):
    r = rig("gk1 init 0\nopcode twice, k, k\nkx xin\nxout kx * 2\nendop\n"
            "instr 1\nkc init 0\nkc += 1\ngk1 twice kc\nendin\n")
    r.note(1, 0, 0.03)
    r.run(3)
    assert r.g("gk1") == 6.0


def test_recursive_udo_calls_itself(rig):
    r = rig("gk1 init 0\nopcode Rec, k, kpp\nkx, idep, icnt xin\n"
            "if (icnt >= idep) goto skip1\nkx Rec kx, idep, icnt + 1\nskip1:\nxout kx + 1\nendop\n"
            "instr 1\ngk1 Rec 0, 3\nendin\n")
    r.note(1, 0, 0.01)
    r.run(1)
    assert r.g("gk1") == 3.0


def test_setksmps_runs_the_udo_body_in_sub_blocks(rig):
    r = rig("ga1 init 0\nopcode Acc, a, a\nsetksmps 1\nain xin\nkc init 0\nkc += 1\n"
            "xout ain * 0 + kc\nendop\ninstr 1\nga1 Acc a(0)\nendin\n", ksmps=4)
    r.note(1, 0, 0.004)
    r.run(1)
    assert list(r.engine.gvars["ga1"]) == [1.0, 2.0, 3.0, 4.0]
