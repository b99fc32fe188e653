"""Domain messages as msgids, translated when shown; older "中文 / English" texts pick a half."""

from core import i18n
from core.i18n import N_, Msg


def test_a_message_is_english_without_a_translator():
    msg = N_("not a number: %(value)s", value="'abc'")
    assert str(msg) == "not a number: 'abc'" and msg.english() == "not a number: 'abc'"
    assert str(ValueError(msg)) == "not a number: 'abc'"  # raised, it reads the same


def test_stored_messages_round_trip_and_old_text_stays_itself():
    msg = N_("Your objection was answered: %(batch)s", batch="第一批")
    assert i18n.load(msg.dumps()) == msg
    assert i18n.load("plain old text") == "plain old text"
    assert i18n.load('{"msgid": broken') == '{"msgid": broken'
    assert i18n.stored_text("as is") == "as is" and i18n.stored_text(msg) == msg.dumps()


def test_old_bilingual_texts_show_the_readers_half():
    text = "中选结果已发布，请确认采购协议 / result published, please sign your contracts: 第一批"
    assert i18n.pick(text, "zh") == "中选结果已发布，请确认采购协议"
    assert i18n.pick(text, "en") == "result published, please sign your contracts: 第一批"
    assert i18n.pick("数额过大 / amount too large: '1e99'", "en") == "amount too large: '1e99'"
    assert i18n.pick("1 / 2 of the lines", "zh") == "1 / 2 of the lines"  # no Chinese half: unchanged
    assert i18n.pick("只有中文", "en") == "只有中文"


def test_text_of_reads_every_kind_of_message():
    assert i18n.text_of(ValueError("批次状态不允许 / not allowed in this state"), "en") == "not allowed in this state"
    assert i18n.text_of(N_("no").dumps()) == "no"
    assert isinstance(i18n.load(N_("yes").dumps()), Msg)
