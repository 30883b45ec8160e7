"""The newcomer's path, in a real browser: ask, get a cited answer, ask for a person,
and see the agent's reply arrive live."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, expect

from tests.helpers import LiveServer
from warmline.domain.users import UserRole

TIMEOUT = 15_000


def open_chat(browser: Browser, server: LiveServer) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server.url + "/")
    expect(page.get_by_test_id("wl-panel")).to_be_visible(timeout=TIMEOUT)
    return page


def sign_in(browser: Browser, server: LiveServer) -> Page:
    key = server.container.accounts.create("sam@example.com", UserRole.AGENT, "Sam").api_key
    agent = browser.new_page(viewport={"width": 1440, "height": 900})
    agent.goto(server.url + "/agent")
    agent.get_by_test_id("agent-email").fill("sam@example.com")
    agent.get_by_test_id("agent-key").fill(key)
    agent.get_by_test_id("agent-login").click()
    return agent


def test_that_a_customer_gets_an_answer_then_a_person_who_replies_live(
    browser: Browser, server: LiveServer, screenshots: Path
) -> None:
    customer = open_chat(browser, server)
    messages = customer.get_by_test_id("wl-messages")
    expect(messages.locator(".wl-msg[data-role=ai]").first).to_contain_text(
        "AI assistant", timeout=TIMEOUT
    )
    expect(customer.get_by_test_id("wl-handoff")).to_be_visible()

    customer.get_by_test_id("wl-input").fill("How do I reset my password?")
    customer.get_by_test_id("wl-send").click()
    answer = messages.locator(".wl-msg[data-role=ai]").nth(1)
    expect(answer).to_contain_text("help center", timeout=TIMEOUT)
    expect(answer.locator(".wl-citation").first).to_be_visible()
    customer.screenshot(path=str(screenshots / "chat-answer.png"))

    customer.get_by_test_id("wl-handoff").click()
    expect(messages.locator(".wl-msg[data-role=system]").last).to_contain_text(
        "queue", timeout=TIMEOUT
    )
    # Nobody has claimed it yet: the customer waits for a person, not "chatting with" one.
    expect(customer.get_by_test_id("wl-status")).to_contain_text("Waiting for a person")
    customer.screenshot(path=str(screenshots / "chat-handoff.png"))

    agent = sign_in(browser, server)
    item = agent.get_by_test_id("handoff-item").first
    expect(item).to_be_visible(timeout=TIMEOUT)
    expect(item.get_by_test_id("reason-badge").first).to_contain_text("Asked for a person")
    item.click()
    expect(agent.get_by_test_id("brief")).to_contain_text("Talk to a person", timeout=TIMEOUT)
    expect(agent.get_by_test_id("transcript")).to_contain_text("How do I reset my password?")
    agent.get_by_test_id("claim").click()
    expect(agent.get_by_test_id("reply-input")).to_be_enabled(timeout=TIMEOUT)
    draft = agent.get_by_test_id("copilot-draft")
    expect(draft).to_contain_text("Forgot password", timeout=TIMEOUT)
    # The customer read that answer before asking for a person: the agent is told.
    expect(agent.get_by_test_id("copilot-already-sent")).to_be_visible()
    agent.get_by_test_id("copilot-use").click()
    expect(agent.get_by_test_id("reply-input")).to_have_value(draft.inner_text())
    agent.get_by_test_id("reply-input").fill("Hi! Sam here, I can help with your password.")
    agent.get_by_test_id("reply-send").click()
    agent.screenshot(path=str(screenshots / "agent-inbox.png"))

    expect(messages.locator(".wl-msg[data-role=agent]")).to_contain_text(
        "Sam here", timeout=TIMEOUT
    )
    expect(customer.get_by_test_id("wl-status")).to_contain_text(re.compile("Sam|agent", re.I))
    customer.screenshot(path=str(screenshots / "chat-agent-reply.png"))

    customer.get_by_test_id("wl-input").fill("Thank you, that worked")
    customer.get_by_test_id("wl-send").click()
    expect(agent.get_by_test_id("transcript")).to_contain_text(
        "Thank you, that worked", timeout=TIMEOUT
    )

    agent.goto(server.url + "/dashboard")
    expect(agent.locator("body")).to_contain_text(re.compile("resolution", re.I), timeout=TIMEOUT)
    agent.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)


def test_that_a_new_handoff_appears_in_an_open_inbox_without_reloading(
    browser: Browser, server: LiveServer, screenshots: Path
) -> None:
    agent = sign_in(browser, server)
    expect(agent.get_by_test_id("queue")).to_be_visible(timeout=TIMEOUT)
    expect(agent.get_by_test_id("handoff-item")).to_have_count(0)

    customer = open_chat(browser, server)
    customer.get_by_test_id("wl-input").fill("I want to talk to a human")
    customer.get_by_test_id("wl-send").click()
    expect(
        customer.get_by_test_id("wl-messages").locator(".wl-msg[data-role=system]")
    ).to_contain_text("queue", timeout=TIMEOUT)
    expect(agent.get_by_test_id("handoff-item")).to_have_count(1, timeout=TIMEOUT)
    expect(agent.get_by_test_id("reason-badge").first).to_contain_text("Asked for a person")


def test_that_a_question_the_help_center_cannot_answer_gets_a_person_on_a_yes(
    browser: Browser, server: LiveServer, screenshots: Path
) -> None:
    """No guess and no handoff nobody asked for: the customer reads that the help center has
    nothing on it and is offered a person; their yes brings one in, and the agent sees why."""
    agent = sign_in(browser, server)
    expect(agent.get_by_test_id("queue")).to_be_visible(timeout=TIMEOUT)
    customer = open_chat(browser, server)
    messages = customer.get_by_test_id("wl-messages")
    customer.get_by_test_id("wl-input").fill(
        "can u help me with my chem homework? need to balance Fe + O2 = Fe2O3"
    )
    customer.get_by_test_id("wl-send").click()
    offer = messages.locator(".wl-msg[data-role=ai]").nth(1)
    expect(offer).to_contain_text("couldn't find anything in our help center", timeout=TIMEOUT)
    expect(offer).to_contain_text("Would you like me to bring in a person")
    expect(offer.locator(".wl-citation")).to_have_count(0)
    expect(agent.get_by_test_id("handoff-item")).to_have_count(0)
    customer.screenshot(path=str(screenshots / "chat-offer-of-a-person.png"))

    customer.get_by_test_id("wl-input").fill("yes please")
    customer.get_by_test_id("wl-send").click()
    expect(messages.locator(".wl-msg[data-role=system]").last).to_contain_text(
        "queue", timeout=TIMEOUT
    )
    expect(agent.get_by_test_id("handoff-item")).to_have_count(1, timeout=TIMEOUT)
    expect(agent.get_by_test_id("reason-badge").first).to_contain_text("Out of scope")


def test_that_the_inbox_asks_for_credentials_and_refuses_wrong_ones(
    browser: Browser, server: LiveServer
) -> None:
    agent = browser.new_page()
    agent.goto(server.url + "/agent")
    agent.get_by_test_id("agent-email").fill("sam@example.com")
    agent.get_by_test_id("agent-key").fill("wl_wrong")
    agent.get_by_test_id("agent-login").click()
    expect(agent.locator("body")).to_contain_text(
        re.compile("not valid|do not match", re.I), timeout=TIMEOUT
    )
    expect(agent.get_by_test_id("queue")).to_be_hidden()


def test_that_a_frustrated_customer_is_warmly_transferred_with_a_brief(
    browser: Browser, server: LiveServer, screenshots: Path
) -> None:
    customer = open_chat(browser, server)
    messages = customer.get_by_test_id("wl-messages")
    customer.get_by_test_id("wl-input").fill("How do I reset my password?")
    customer.get_by_test_id("wl-send").click()
    expect(messages.locator(".wl-msg[data-role=ai]").nth(1)).to_contain_text(
        "help center", timeout=TIMEOUT
    )
    customer.get_by_test_id("wl-input").fill(
        "THIS IS THE THIRD TIME I'M ASKING!!! order JL-558812 for $84.50 never came, useless bot"
    )
    customer.get_by_test_id("wl-send").click()
    expect(messages.locator(".wl-msg[data-role=system]").last).to_contain_text(
        "queue", timeout=TIMEOUT
    )
    expect(messages).to_contain_text("going in circles", timeout=TIMEOUT)
    customer.screenshot(path=str(screenshots / "chat-frustrated-handoff.png"))

    agent = sign_in(browser, server)
    item = agent.get_by_test_id("handoff-item").first
    expect(item).to_be_visible(timeout=TIMEOUT)
    expect(item.get_by_test_id("reason-badge").first).to_contain_text(re.compile("frustrat", re.I))
    item.click()
    brief = agent.get_by_test_id("brief")
    expect(brief).to_contain_text("Service recovery", timeout=TIMEOUT)
    expect(brief).to_contain_text("order: JL-558812")
    expect(brief).to_contain_text("frustrated (")
    expect(brief).to_contain_text("acknowledge it first")
    expect(brief).to_contain_text("What the AI tried")
    expect(brief).to_contain_text("Turn 1: answered from")
    copilot = agent.get_by_test_id("copilot")
    expect(copilot.get_by_test_id("copilot-past")).to_have_count(0, timeout=TIMEOUT)
    expect(copilot).to_contain_text("first conversation", timeout=TIMEOUT)
    agent.screenshot(path=str(screenshots / "agent-brief-frustrated.png"))


def test_that_a_customer_picks_an_offered_topic_with_one_press_and_gets_its_answer(
    browser: Browser, server: LiveServer, screenshots: Path
) -> None:
    customer = open_chat(browser, server)
    customer.get_by_test_id("wl-input").fill("the label for my return isnt in my email")
    customer.get_by_test_id("wl-send").click()
    topics = customer.get_by_test_id("wl-topics")
    expect(topics).to_be_visible(timeout=TIMEOUT)
    pick = topics.get_by_role("button", name="Return shipping labels and costs")
    expect(pick).to_be_visible()
    expect(topics.get_by_role("button")).to_have_count(3)
    expect(topics.get_by_role("button").last).to_be_in_viewport(timeout=TIMEOUT)
    customer.screenshot(path=str(screenshots / "chat-topics.png"))
    press_and_get_the_label_answer(customer, pick)


def test_that_a_reloaded_chat_still_offers_the_open_questions_topics_until_one_is_picked(
    browser: Browser, server: LiveServer
) -> None:
    customer = open_chat(browser, server)
    messages = customer.get_by_test_id("wl-messages")
    customer.get_by_test_id("wl-input").fill("the label for my return isnt in my email")
    customer.get_by_test_id("wl-send").click()
    expect(customer.get_by_test_id("wl-topics").get_by_role("button")).to_have_count(
        3, timeout=TIMEOUT
    )

    customer.reload()
    question = messages.locator(".wl-msg[data-role=ai]").last
    expect(question).to_contain_text("Return shipping labels and costs", timeout=TIMEOUT)
    topics = question.get_by_test_id("wl-topics")
    expect(topics.get_by_role("button")).to_have_count(3, timeout=TIMEOUT)
    expect(customer.get_by_test_id("wl-topics")).to_have_count(1)
    press_and_get_the_label_answer(
        customer, topics.get_by_role("button", name="Return shipping labels and costs")
    )

    # Answered: the earlier question's topics do not come back.
    customer.reload()
    expect(messages.locator(".wl-msg[data-role=ai]").last).to_contain_text(
        "reprint the label", timeout=TIMEOUT
    )
    expect(messages.locator(".wl-msg[data-role=customer]")).to_have_count(2)
    expect(customer.get_by_test_id("wl-topics")).to_have_count(0)


def press_and_get_the_label_answer(customer: Page, button: Locator) -> None:
    """Pressing the return-label topic sends its name and gets the cited answer; the buttons go."""
    messages = customer.get_by_test_id("wl-messages")
    button.click()
    expect(messages.locator(".wl-msg[data-role=customer]").last).to_have_text(
        re.compile("Return shipping labels and costs"), timeout=TIMEOUT
    )
    answer = messages.locator(".wl-msg[data-role=ai]").last
    expect(answer).to_contain_text("reprint the label", timeout=TIMEOUT)
    expect(answer.locator(".wl-citation").first).to_be_visible()
    expect(customer.get_by_test_id("wl-topics")).to_have_count(0)
